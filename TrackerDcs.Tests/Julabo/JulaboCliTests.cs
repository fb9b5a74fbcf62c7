using TrackerDcs.Hardware.Julabo;

namespace TrackerDcs.Tests.Julabo;

/// <summary>The bench tool against the simulator over TCP and a socat pty.</summary>
public class JulaboCliTests
{
    private static async Task<(int Code, string Output)> Run(params string[] args)
    {
        var output = new StringWriter();
        var code = await JulaboCli.RunAsync(args, output);
        return (code, output.ToString());
    }

    // A short interval between commands; a reply timeout that only a failure ever waits for, long enough for a
    // pty answer on loaded cores (300 ms once was not, in a full run).
    private static string[] Fast(string port, params string[] command) => ["julabo", "--port", port, "--interval", "20", "--timeout", "3000", .. command];

    [Fact]
    public async Task Reads_status_and_temperatures_over_tcp()
    {
        await using var simulator = new JulaboSimulator();
        var port = $"127.0.0.1:{simulator.ListenTcp()}";

        var (code, output) = await Run(Fast(port, "status"));
        Assert.Equal(JulaboCli.Ok, code);
        Assert.Contains("status           02 REMOTE STOP", output);
        Assert.Contains("set point in use 1", output);
        Assert.Contains("control sensor   internal", output);

        (code, output) = await Run(Fast(port, "read-temp"));
        Assert.Equal(JulaboCli.Ok, code);
        Assert.Contains("bath             22.00 °C", output);
    }

    [Fact]
    public async Task Sets_selects_starts_and_stops_over_tcp()
    {
        await using var simulator = new JulaboSimulator();
        var port = $"127.0.0.1:{simulator.ListenTcp()}";

        Assert.Equal(JulaboCli.Ok, (await Run(Fast(port, "set-temp", "2", "18.5"))).Code);
        Assert.Equal(18.5, simulator.Setpoint(2));
        Assert.Equal(JulaboCli.Ok, (await Run(Fast(port, "use-setpoint", "2"))).Code);
        Assert.Equal(2, simulator.SelectedSetpoint);
        var (code, output) = await Run(Fast(port, "start"));
        Assert.Equal(JulaboCli.Ok, code);
        Assert.Contains("03 REMOTE START", output);
        Assert.True(simulator.Running);
        Assert.Equal(JulaboCli.Ok, (await Run(Fast(port, "stop"))).Code);
        Assert.False(simulator.Running);
    }

    [Fact]
    public async Task Works_over_a_pseudo_terminal()
    {
        using var pty = new SocatPtyPair();
        await using var simulator = new JulaboSimulator();
        simulator.ServeSerial(pty.B);
        // Handshake None: a pty has no RTS/CTS lines.
        var (code, output) = await Run(Fast(pty.A, "--handshake", "None", "status"));
        Assert.True(code == JulaboCli.Ok, output);
        Assert.Contains("02 REMOTE STOP", output);
    }

    [Theory]
    [InlineData("julabo: --port is required", "status")]
    [InlineData("julabo: set point 4 does not exist (the unit has set points 1..3)", "--port", "127.0.0.1:9", "set-temp", "4", "20")]
    [InlineData("julabo: temp 99 is outside the limits -50..50 °C", "--port", "127.0.0.1:9", "set-temp", "1", "99")]
    [InlineData("julabo: temperature: \"warm\" is not a number", "--port", "127.0.0.1:9", "set-temp", "1", "warm")]
    [InlineData("julabo: unknown command \"boil\"", "--port", "127.0.0.1:9", "boil")]
    [InlineData("julabo: set-temp takes 2 arguments, got 1", "--port", "127.0.0.1:9", "set-temp", "1")]
    [InlineData("julabo: --parity: \"Sometimes\" is not one of None, Odd, Even, Mark, Space", "--port", "/dev/ttyUSB0", "--parity", "Sometimes", "status")]
    [InlineData("julabo: unknown option --colour", "--port", "/dev/ttyUSB0", "--colour", "blue", "status")]
    [InlineData("julabo: --baud needs a value", "status", "--baud")]
    [InlineData("julabo: Julabo:Port \"nowhere\" is neither a serial device path, host:port, nor \"simulated\"", "--port", "nowhere", "status")]
    public async Task Bad_arguments_are_usage_errors(string message, params string[] args)
    {
        var (code, output) = await Run(args);
        Assert.Equal(JulaboCli.UsageError, code);
        Assert.StartsWith(message + Environment.NewLine, output);
    }

    [Fact]
    public async Task Simulated_port_answers_from_an_in_process_simulator()
    {
        var (code, output) = await Run(Fast("simulated", "start"));
        Assert.True(code == JulaboCli.Ok, output);
        Assert.Contains("03 REMOTE START", output);
    }

    [Fact]
    public async Task Help_prints_usage()
    {
        var (code, output) = await Run("julabo", "--help");
        Assert.Equal(JulaboCli.Ok, code);
        Assert.Contains("set-temp <1-3> <c>", output);
    }

    [Fact]
    public async Task A_chiller_that_cannot_be_reached_is_an_error()
    {
        var (code, output) = await Run(Fast("/nonexistent/ttyJULABO", "status"));
        Assert.Equal(JulaboCli.ChillerError, code);
        Assert.Contains("/nonexistent/ttyJULABO", output);
    }

    [Fact]
    public async Task A_unit_in_manual_mode_is_reported()
    {
        await using var simulator = new JulaboSimulator();
        var port = $"127.0.0.1:{simulator.ListenTcp()}";
        simulator.SwitchToManual();
        var (code, output) = await Run(Fast(port, "start"));
        Assert.Equal(JulaboCli.ChillerError, code);
        Assert.Contains("manual mode (00 MANUAL STOP)", output);
    }
}
