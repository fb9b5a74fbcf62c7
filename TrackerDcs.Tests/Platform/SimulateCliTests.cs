using System.Globalization;
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
    [InlineData(new[] { "simulate", "marta", "--unit", "0" }, "error: --unit must be a Modbus unit id (1–247)")]
    [InlineData(new[] { "simulate", "marta", "--map", "/nonexistent/marta.yml" }, "error: --map: /nonexistent/marta.yml:0: cannot read the register map")]
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

    [Fact]
    public async Task The_simulated_MARTA_serves_Modbus_that_mbpoll_reads_and_takes_its_faults_on_stdin()
    {
        var port = FreePort.Tcp();
        await using var plant = await SimulatorProcess.StartAsync("marta", "--port", port.ToString(CultureInfo.InvariantCulture));
        Assert.StartsWith("status 1, chiller 0, CO2 0", await plant.CommandAsync("state"));
        Assert.Equal("set_temperature_setpoint = -18.25 at the panel", await plant.CommandAsync("panel set_temperature_setpoint -18.25"));

        async Task<string> Mbpoll(params string[] args)
        {
            var result = await ProcessRunner.RunAsync("mbpoll", ["-m", "tcp", "-p", port.ToString(CultureInfo.InvariantCulture), "-a", "1", "-0", "-1", "-o", "5", .. args, "127.0.0.1"],
                timeout: TimeSpan.FromSeconds(30));
            Assert.True(result.ExitCode == 0, result.ToString());
            return result.Stdout;
        }
        // The low word first (mbpoll's default order), PDU addresses (-0).
        Assert.Contains("[310]: \t-18.25", await Mbpoll("-t", "4:float", "-r", "310", "-c", "1"));
        Assert.Contains("[320]: \t1", await Mbpoll("-t", "4", "-r", "320", "-c", "1"));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => plant.CommandAsync("alarm TT05_CO2"));
        Assert.Contains("is not an alarm bit", refused.Message);
        Assert.Equal("alarm bit EB_FS set", await plant.CommandAsync("alarm EB_FS"));
        Assert.Contains("[320]: \t3", await Mbpoll("-t", "4", "-r", "320", "-c", "1")); // a fail-safe bit: status 3
    }
}
