using System.Diagnostics;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Tests.Julabo;

/// <summary>The connection against the simulator over real links: TCP on 127.0.0.1 and a socat pty pair.</summary>
public class JulaboConnectionTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    // As the product's default (1 s): a test on the loaded cores can stall longer than a few hundred milliseconds.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Reads_and_writes_over_tcp()
    {
        await using var simulator = new JulaboSimulator();
        var port = simulator.ListenTcp();
        await using var connection = new JulaboConnection(new TcpTransport("127.0.0.1", port), Interval, Timeout);
        await connection.OpenAsync(CancellationToken.None);

        Assert.Equal(new JulaboUnitStatus(2, "REMOTE STOP"), await connection.ReadStatusAsync(default));
        Assert.StartsWith("JULABO", await connection.ReadVersionAsync(default));
        await connection.SendAsync(JulaboProtocol.WriteSetpoint(2, 18.5), default);
        Assert.Equal(18.5, await connection.QueryAsync(JulaboProtocol.ReadSetpoint(2), JulaboProtocol.ParseNumber, default));
    }

    [Fact]
    public async Task Reads_and_writes_over_a_pseudo_terminal()
    {
        using var pty = new SocatPtyPair();
        await using var simulator = new JulaboSimulator();
        simulator.ServeSerial(pty.B);
        // Handshake.None: a pseudo terminal has no RTS/CTS lines, and with CRTSCTS set writes may wait forever for CTS.
        await using var connection = new JulaboConnection(new SerialTransport(pty.A, new SerialSettings(4800, 7, System.IO.Ports.Parity.Even)), Interval, TimeSpan.FromSeconds(1));
        await connection.OpenAsync(CancellationToken.None);

        Assert.Equal(2, (await connection.ReadStatusAsync(default)).Code);
        await connection.SendAsync(JulaboProtocol.StartStop(true), default);
        Assert.Equal(3, (await connection.ReadStatusAsync(default)).Code);
    }

    [Fact]
    public async Task Keeps_the_command_interval_between_commands()
    {
        await using var simulator = new JulaboSimulator();
        var port = simulator.ListenTcp();
        var interval = TimeSpan.FromMilliseconds(60);
        await using var connection = new JulaboConnection(new TcpTransport("127.0.0.1", port), interval, Timeout);
        await connection.OpenAsync(CancellationToken.None);

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => connection.ReadStatusAsync(default)));
        // Five commands in flight one at a time: at least four intervals between them, whatever the scheduling.
        Assert.True(clock.Elapsed >= interval * 4, $"5 commands took only {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task One_garbled_or_lost_reply_is_retried_transparently()
    {
        await using var simulator = new JulaboSimulator();
        var port = simulator.ListenTcp();
        await using var connection = new JulaboConnection(new TcpTransport("127.0.0.1", port), Interval, Timeout);
        await connection.OpenAsync(CancellationToken.None);

        simulator.SendGarbage(1);
        Assert.Equal(2, (await connection.ReadStatusAsync(default)).Code);
        simulator.DropReplies(1);
        Assert.Equal(2, (await connection.ReadStatusAsync(default)).Code);
    }

    [Fact]
    public async Task Persistent_garbage_is_an_error_quoting_the_raw_reply()
    {
        await using var simulator = new JulaboSimulator();
        var port = simulator.ListenTcp();
        await using var connection = new JulaboConnection(new TcpTransport("127.0.0.1", port), Interval, Timeout);
        await connection.OpenAsync(CancellationToken.None);

        simulator.SendGarbage(2);
        var e = await Assert.ThrowsAsync<JulaboProtocolException>(() => connection.ReadStatusAsync(default));
        Assert.Contains("\\xFF\\xA7#?\\x15", e.Message);
    }

    [Fact]
    public async Task No_reply_is_a_timeout_after_one_retry()
    {
        await using var simulator = new JulaboSimulator();
        var port = simulator.ListenTcp();
        await using var connection = new JulaboConnection(new TcpTransport("127.0.0.1", port), Interval, Timeout);
        await connection.OpenAsync(CancellationToken.None);

        simulator.DropReplies(2);
        var e = await Assert.ThrowsAsync<LinkTimeoutException>(() => connection.ReadStatusAsync(default));
        Assert.Contains("no reply to STATUS", e.Message);
    }

    /// <summary>
    /// Julabo replies do not name the command they answer. Two replies late by more than the time-out used to shift
    /// every answer by one: the retry of set point 1 took the late first reply, and set point 2 took the retry's,
    /// so set point 2 read 10 °C, set point 1's value, and nothing said so. (CI's Julabo stand log showed the same:
    /// "connected to -09 COMMAND NOT ALLOWED…", a STATUS reply taken for the version.)
    /// </summary>
    [Fact]
    public async Task A_late_reply_is_never_taken_for_the_answer_to_a_later_command()
    {
        await using var simulator = new JulaboSimulator();
        var port = simulator.ListenTcp();
        await using var connection = new JulaboConnection(new TcpTransport("127.0.0.1", port), Interval, Timeout);
        await connection.OpenAsync(CancellationToken.None);
        await connection.SendAsync(JulaboProtocol.WriteSetpoint(1, 10), default);
        await connection.SendAsync(JulaboProtocol.WriteSetpoint(2, 20), default);

        simulator.DelayReplies(2, Timeout + TimeSpan.FromMilliseconds(300));
        double? first = null;
        try { first = await connection.QueryAsync(JulaboProtocol.ReadSetpoint(1), JulaboProtocol.ParseNumber, default); }
        catch (LinkTimeoutException) { } // both of its tries answered late: an error, never a wrong value
        var second = await connection.QueryAsync(JulaboProtocol.ReadSetpoint(2), JulaboProtocol.ParseNumber, default);

        Assert.True(first is null or 10, $"set point 1 read {first}");
        Assert.Equal(20, second);
    }

    [Theory]
    [InlineData(4800, 7, System.IO.Ports.Parity.Even, System.IO.Ports.StopBits.One, 33.333)]
    [InlineData(9600, 8, System.IO.Ports.Parity.None, System.IO.Ports.StopBits.One, 16.667)]
    [InlineData(9600, 8, System.IO.Ports.Parity.Odd, System.IO.Ports.StopBits.Two, 20.0)]
    public void A_command_takes_the_time_of_its_characters_on_the_wire(int baud, int dataBits, System.IO.Ports.Parity parity,
        System.IO.Ports.StopBits stopBits, double milliseconds)
    {
        // "OUT_SP_03 30.00\r": 16 characters, each a start bit, the data bits, parity if any, and the stop bits.
        var bytes = JulaboProtocol.Encode(JulaboProtocol.WriteHighWarningLimit(30)).Length;
        Assert.Equal(16, bytes);
        Assert.Equal(milliseconds, new SerialSettings(baud, dataBits, parity, stopBits).TimeOnWire(bytes).TotalMilliseconds, precision: 3);
    }

    [Fact]
    public async Task A_port_that_does_not_exist_is_a_transport_error()
    {
        await using var connection = new JulaboConnection(new SerialTransport("/nonexistent/ttyJULABO", new JulaboSettings().Serial), Interval, Timeout);
        var e = await Assert.ThrowsAsync<LinkException>(() => connection.OpenAsync(default));
        Assert.Contains("/nonexistent/ttyJULABO", e.Message);
    }
}
