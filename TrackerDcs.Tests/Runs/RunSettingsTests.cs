using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Runs;

/// <summary>A calibration that cannot be used stops the start with its key, instead of failing at its first run.</summary>
public sealed class RunSettingsTests
{
    [Theory]
    [InlineData("--Runs:Calibrations:pedestals:CrateState=HV_ONN", "setting 'Runs:Calibrations:pedestals:CrateState': 'HV_ONN' is not a crate state")]
    [InlineData("--Runs:Calibrations:pedestals:Timout=00:01:00", "Timout")]
    [InlineData("--Runs:Calibrations:scan:Arguments:0={hw}", "setting 'Runs:Calibrations:scan:Executable': is empty")]
    [InlineData("--Runs:Calibrations:pedestals:Arguments:9={hw}", "setting 'Runs:Calibrations:pedestals:HardwareDescription': is empty but an argument uses {hw}")]
    [InlineData("--Runs:InfluxDb=influx here", "setting 'Runs:InfluxDb': 'influx here' is not a URL")]
    public async Task A_bad_calibration_setting_is_named(string setting, string message)
    {
        await using var stand = new StandProcess();
        var result = await stand.RunToExitAsync(setting);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }
}
