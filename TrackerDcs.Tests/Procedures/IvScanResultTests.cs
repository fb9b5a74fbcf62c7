using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Tests.Procedures;

/// <summary>An iv_scan step's points read back from its record, as the run's page and its curve read them.</summary>
public sealed class IvScanResultTests
{
    private static StepRecord Step(string kind, bool? ok, string? result) => new() { Kind = kind, Ok = ok, Result = result };

    [Fact]
    public void A_finished_scan_s_record_gives_its_points_and_its_stop()
    {
        var step = Step("iv_scan", true, """ok {"stopped":"compliance: channel 0 drew 21 µA at 40 V (compliance 20 µA)","points":[""" +
            """{"channel":"0","module":"module_0","v_set":0,"v":-0.001,"i":0.0002,"i_std":0.0001,"time_ms":1,"chiller_bath":21.03,"dewpoint":null},""" +
            """{"channel":"0","module":"module_0","v_set":20,"v":20.001,"i":0.28,"i_std":0.01,"time_ms":2,"chiller_bath":20.9,"dewpoint":9.3}]}""");

        var scan = IvScanResult.Of(step)!;

        Assert.StartsWith("compliance: channel 0", scan.Stopped);
        Assert.Equal([0.0, 20.0], scan.Points.Select(p => p.VSet));
        Assert.Equal(new IvPoint("0", "module_0", 20, 20.001, 0.28, 0.01, 2, 20.9, 9.3), scan.Points[1]);
        Assert.Null(scan.Points[0].Dewpoint);
    }

    [Fact]
    public void A_scan_still_going_gives_its_points_so_far_marked_going()
    {
        var step = Step("iv_scan", null, """scanning {"stopped":null,"points":[""" +
            """{"channel":"0","module":"module_0","v_set":0,"v":0,"i":0.0002,"i_std":0.0001,"time_ms":1,"chiller_bath":21.03,"dewpoint":null,"chiller_external":20.5}]}""");

        var scan = IvScanResult.Of(step)!;

        Assert.True(scan.Going);
        Assert.Null(scan.Stopped);
        Assert.Equal(20.5, scan.Points.Single().ChillerExternal);
        Assert.False(IvScanResult.Of(Step("iv_scan", true, "ok {\"stopped\":null,\"points\":[]}"))!.Going);
    }

    [Theory]
    [InlineData("iv_scan", false, "refused: HV is off (crate LV_ON): switch it on before the scan {x}")]
    [InlineData("iv_scan", null, null)]
    [InlineData("command", true, "ok {\"run\":3}")]
    [InlineData("iv_scan", true, "ok {not json")]
    public void A_step_without_a_scan_s_data_has_no_points(string kind, bool? ok, string? result) =>
        Assert.Null(IvScanResult.Of(Step(kind, ok, result)));
}
