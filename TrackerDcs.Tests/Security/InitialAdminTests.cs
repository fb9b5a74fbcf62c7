using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Security;

/// <summary>The first start's admin account, from TRACKERDCS_ADMIN_PASSWORD, against the real process.</summary>
public sealed class InitialAdminTests
{
    [Fact]
    public async Task A_too_short_initial_password_stops_the_start_naming_the_variable_without_a_stack_trace()
    {
        await using var stand = new StandProcess();
        stand.ExtraEnvironment["TRACKERDCS_ADMIN_PASSWORD"] = "short";

        var result = await stand.RunToExitAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("TrackerDcs cannot start: setting 'TRACKERDCS_ADMIN_PASSWORD': a password needs at least 8 characters", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout);
    }
}
