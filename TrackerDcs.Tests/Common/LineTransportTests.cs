using System.IO.Ports;
using System.Text;
using TrackerDcs.Hardware.Common;
using TrackerDcs.Tests.Julabo;

namespace TrackerDcs.Tests.Common;

/// <summary>The shared line transport: framing without I/O, the port setting, and a LineLink over a real pty pair.</summary>
public class LineTransportTests
{
    [Fact]
    public void The_framer_cuts_at_CR_or_LF_across_reads_and_bounds_a_line_of_noise()
    {
        var framer = new LineFramer(maxLineLength: 8);
        Assert.Empty(framer.Push("{\"lv\""u8));
        Assert.Equal(["{\"lv\":1}", "STATUS?"], framer.Push(":1}\r\nSTATUS?\r"u8));
        Assert.Equal(["\u00ff\u00fe012345", "67"], framer.Push([0xFF, 0xFE, .. "01234567\n"u8]));
        framer.Push("half"u8);
        framer.Clear();
        Assert.Equal(["whole"], framer.Push("whole\n"u8));
    }

    [Theory]
    [InlineData("/dev/ttyUSB0", "serial /dev/ttyUSB0 115200 8N1")]
    [InlineData("COM3", "serial COM3 115200 8N1")]
    [InlineData("10.0.0.5:8000", "tcp 10.0.0.5:8000")]
    [InlineData("[::1]:4001", "tcp ::1:4001")]
    public void The_port_setting_chooses_the_transport(string port, string description)
    {
        Assert.True(Transports.IsValidPort(port));
        Assert.Equal(description, Transports.Create(port, new SerialSettings(115200)).Description);
    }

    [Theory]
    [InlineData("ttyUSB0")]
    [InlineData("COM")]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData(":8000")]
    public void A_port_that_is_neither_is_refused(string port)
    {
        Assert.False(Transports.IsValidPort(port));
        Assert.Contains($"\"{port}\" is neither a serial device path nor host:port", Assert.Throws<ArgumentException>(() => Transports.Create(port, new SerialSettings(9600))).Message);
    }

    [Fact]
    public void Serial_settings_read_as_usual_and_bad_ones_are_named()
    {
        Assert.Equal("4800 7E1 handshake RequestToSend", new SerialSettings(4800, 7, Parity.Even, StopBits.One, Handshake.RequestToSend).ToString());
        Assert.Equal("9600 8N2", new SerialSettings(9600, StopBits: StopBits.Two).ToString());
        Assert.Equal(["BaudRate 0 must be positive", "DataBits 9 must be 5..8", "StopBits None is not a serial setting (One, OnePointFive, Two)"],
            new SerialSettings(0, 9, StopBits: StopBits.None).Validate());
    }

    [Fact]
    public async Task A_line_link_over_a_pty_reads_lines_times_out_and_reports_a_pulled_cable()
    {
        using var pty = new SocatPtyPair();
        await using var far = new SerialTransport(pty.B, new SerialSettings(115200));
        await far.OpenAsync(default);
        await using var link = new LineLink(new SerialTransport(pty.A, new SerialSettings(115200)), TimeSpan.FromSeconds(2));
        await link.OpenAsync(default);

        await link.WriteAsync("STATUS?\r"u8.ToArray(), "STATUS?", default);
        var received = new byte[16];
        var n = await far.ReadAsync(received, default);
        Assert.Equal("STATUS?\r", Encoding.ASCII.GetString(received, 0, n));
        await far.WriteAsync("{\"lv\":0}\n"u8.ToArray(), default);
        Assert.Equal("{\"lv\":0}", await link.ReadLineAsync(TimeSpan.FromSeconds(5), default));

        var silence = await Assert.ThrowsAsync<LinkTimeoutException>(() => link.ReadLineAsync(TimeSpan.FromMilliseconds(100), default));
        Assert.Contains("no line within 100 ms", silence.Message);

        pty.Kill();
        await Eventually.True(() => link.Ended.IsCancellationRequested, "the reader sees the pty gone");
        await Assert.ThrowsAsync<LinkException>(() => link.ReadLineAsync(TimeSpan.FromSeconds(5), default));
    }
}
