using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

/// <summary>
/// The v1 encoder writes the same line as the client library's PointData (the v2 path), escapes and number formats
/// included. PointData sorts tags and fields by name and the encoder keeps the mapper's order (tags sorted, fields as they came), so they are given sorted here.
/// </summary>
public class LineProtocolTests
{
    public static TheoryData<TimePoint> Points() =>
    [
        Point("channels", [("id", "0"), ("module", "module_0")], [("fsm_state", "HV_ON"), ("hv_status", 1L), ("lv_vMon", 12.005)]),
        Point("my meas,x=y", [("tab", "a\tb\nc\rd"), ("tag key", "a,b=c d")], [("f=1", 1.5)]),
        Point("m", [("empty", ""), ("k", "ü€😀")], [("s", "say \"hi\" \\ back\\"), ("ü", "€😀")]),
        Point("m", [], [("a", 0.1), ("b", 1e-7), ("c", 1e21), ("d", -0.0), ("e", double.MaxValue), ("f", 199.95), ("g", 12.0)]),
        Point("m", [], [("a", long.MinValue), ("b", ulong.MaxValue), ("c", true), ("d", false), ("e", double.NaN), ("f", 2.5)]),
        Point("m", [], [("only", double.PositiveInfinity)]),
    ];

    private static TimePoint Point(string measurement, (string, string)[] tags, (string, object)[] fields) =>
        new(measurement, tags.Select(t => new KeyValuePair<string, string>(t.Item1, t.Item2)).ToList(),
            fields.Select(f => new KeyValuePair<string, object>(f.Item1, f.Item2)).ToList(), 1_764_000_000_123);

    [Theory]
    [MemberData(nameof(Points))]
    public void The_v1_encoder_writes_what_pointdata_writes(TimePoint point)
    {
        using var batch = new LineBatch(16);
        LineProtocol.Append(batch, point);
        var expected = point.ToLineProtocol();
        Assert.Equal(expected == "" ? [] : [expected], batch.Lines());
    }

    [Fact]
    public void A_batch_holds_complete_lines_only_and_grows_beyond_its_first_buffer()
    {
        using var batch = new LineBatch(16);
        for (var i = 0; i < 1000; i++) LineProtocol.Append(batch, Point("m", [("id", i.ToString())], [("v", (double)i)]));
        LineProtocol.Append(batch, Point("m", [("id", "x")], [("v", double.NaN)]));
        Assert.Equal(1000, batch.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"m,id={i} v={i} 1764000000123"), batch.Lines());
    }
}
