using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Julabo;

/// <summary>Warning limits that cannot be written to the unit stop the start with one line naming the key.</summary>
public sealed class JulaboSettingsStartTests
{
    [Theory]
    [InlineData("--Julabo:WarningLimitLow=35", "setting 'Julabo:WarningLimitLow': Julabo:WarningLimitLow 35 must be below WarningLimitHigh 30")]
    [InlineData("--Julabo:WarningLimitHigh=80", "setting 'Julabo:WarningLimitHigh': Julabo:WarningLimitHigh 80 must be a temperature within the unit's range")]
    public async Task Bad_warning_limits_are_named(string setting, string message)
    {
        await using var stand = new StandProcess();
        var result = await stand.RunToExitAsync(setting);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }
}
