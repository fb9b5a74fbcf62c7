using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Platform;

/// <summary>`TrackerDcs simulate`: bad arguments are named and stop it; a bad fault command is answered and changes nothing.</summary>
public sealed class SimulateCliTests
{
    [Theory]
    [InlineData(new[] { "simulate", "crate" }, "error: unknown device 'crate'")]
    [InlineData(new[] { "simulate", "caen", "--port", "x" }, "error: --port: 'x' is not a non-negative integer")]
    [InlineData(new[] { "simulate", "caen", "--prot", "5064" }, "error: unknown option --prot")]
    [InlineData(new[] { "simulate", "julabo" }, "error: give exactly one of --tcp <port> and --serial <device>")]
    [InlineData(new[] { "simulate", "julabo", "--serial", "/dev/null", "--parity", "Odd7" }, "error: --parity: 'Odd7' is not one of None, Odd, Even, Mark, Space")]
    public async Task Bad_arguments_are_named_with_the_usage(string[] args, string message)
    {
        var result = await ProcessRunner.RunAsync("dotnet", [StandProcess.Binary, .. args], timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stdout);
        Assert.Contains("usage: TrackerDcs simulate caen", result.Stdout);
    }

    [Fact]
    public async Task A_bad_fault_command_is_refused_and_the_simulator_keeps_serving()
    {
        await using var chiller = await SimulatorProcess.StartAsync("julabo", "--tcp", FreePort.Tcp().ToString());
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => chiller.CommandAsync("alarm 5 not negative"));
        Assert.Contains("error: the code must be negative", refused.Message);
        Assert.StartsWith("02 REMOTE STOP", await chiller.CommandAsync("state"));
        Assert.Equal("alarm -14", await chiller.CommandAsync("alarm -14 excess temperature protector"));
        Assert.StartsWith("-14 excess temperature protector", await chiller.CommandAsync("state"));
    }
}
