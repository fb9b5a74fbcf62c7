using System.Text;
using TrackerDcs.Hardware.SwitchBox;

namespace TrackerDcs.Tests.SwitchBox;

/// <summary>The box's protocol with no I/O: every command and status round trips, and bad lines are refused naming what is wrong.</summary>
public class SwitchBoxProtocolTests
{
    public static TheoryData<string> EveryCommandLine()
    {
        var lines = new TheoryData<string> { "LV|ON", "LV|OFF", "HV|ON", "HV|OFF", "CH*|OFF", "STATUS?" };
        for (var n = 1; n <= SwitchBoxProtocol.ChannelCount; n++)
        {
            lines.Add($"CH{n}|ON");
            lines.Add($"CH{n}|OFF");
        }
        return lines;
    }

    [Theory]
    [MemberData(nameof(EveryCommandLine))]
    public void Every_command_round_trips_through_its_line(string line)
    {
        var command = SwitchBoxProtocol.ParseCommand(line);

        Assert.Equal(line, command.ToString());
        Assert.Equal(line + "\r", Encoding.ASCII.GetString(SwitchBoxProtocol.Encode(command)));
        Assert.Equal(command, SwitchBoxProtocol.ParseCommand(Encoding.ASCII.GetString(SwitchBoxProtocol.Encode(command))));
    }

    [Fact]
    public void Commands_mean_what_their_line_says()
    {
        Assert.Equal((SwitchBoxAction.ChannelOn, 17), (SwitchBoxProtocol.ParseCommand("CH17|ON").Action, SwitchBoxProtocol.ParseCommand("CH17|ON").Channel));
        Assert.Equal(SwitchBoxCommand.Switch(48, false), SwitchBoxProtocol.ParseCommand(" CH48|OFF "));
        Assert.Same(SwitchBoxCommand.HvOn, SwitchBoxProtocol.ParseCommand("HV|ON"));
        Assert.Equal([SwitchBoxCommand.LvOn, SwitchBoxCommand.LvOff, SwitchBoxCommand.HvOn, SwitchBoxCommand.HvOff],
            [SwitchBoxCommand.Lv(true), SwitchBoxCommand.Lv(false), SwitchBoxCommand.Hv(true), SwitchBoxCommand.Hv(false)]);
        Assert.True(SwitchBoxProtocol.ParseCommand("STATUS?").IsQuery);
        Assert.Throws<ArgumentOutOfRangeException>(() => SwitchBoxCommand.Switch(49, true));
    }

    [Theory]
    [InlineData("", "\"\" is not a switch box command (the box knows LV|ON, LV|OFF, HV|ON, HV|OFF, CH<n>|ON, CH<n>|OFF (n 1..48), CH*|OFF, STATUS?)")]
    [InlineData("lv|on", "\"lv|on\" is not a switch box command")]
    [InlineData("LV ON", "\"LV ON\" is not a switch box command")]
    [InlineData("CH0|ON", "\"CH0|ON\": channel 0 does not exist (the box has channels 1..48)")]
    [InlineData("CH49|OFF", "\"CH49|OFF\": channel 49 does not exist (the box has channels 1..48)")]
    [InlineData("CH100|ON", "\"CH100|ON\": channel 100 does not exist")]
    [InlineData("CH*|ON", "\"CH*|ON\" is not a switch box command: only CH*|OFF acts on all channels at once")]
    [InlineData("CH5|TOGGLE", "\"CH5|TOGGLE\" is not a switch box command")]
    [InlineData("STATUS", "\"STATUS\" is not a switch box command")]
    public void A_bad_command_line_is_refused_naming_what_is_wrong(string line, string error)
    {
        Assert.False(SwitchBoxProtocol.TryParseCommand(line, out var command, out var message));
        Assert.Null(command);
        Assert.StartsWith(error, message);
        Assert.Equal(line, Assert.Throws<SwitchBoxProtocolException>(() => SwitchBoxProtocol.ParseCommand(line)).RawLine);
    }

    public static TheoryData<bool, bool, ulong> Statuses() => new()
    {
        { false, false, 0 },
        { true, false, 0b101 },
        { true, true, 1UL << 47 },
        { false, true, SwitchBoxProtocol.AllChannels },
        { true, true, 0x8000_0000_0001 },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Every_status_round_trips_through_its_line(bool lv, bool hv, ulong channels)
    {
        var status = new SwitchBoxStatus(lv, hv, channels);
        Assert.Equal(status, SwitchBoxProtocol.ParseStatus(SwitchBoxProtocol.FormatStatus(status)));
    }

    [Fact]
    public void Random_statuses_round_trip()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var i = 0; i < 1000; i++)
        {
            var status = new SwitchBoxStatus(random.Next(2) == 1, random.Next(2) == 1, (ulong)random.NextInt64() & SwitchBoxProtocol.AllChannels);
            var line = SwitchBoxProtocol.FormatStatus(status);
            Assert.True(SwitchBoxProtocol.TryParseStatus(line, out var back, out var error), $"seed {seed}: {line}: {error}");
            Assert.True(status == back, $"seed {seed}: {line} came back as {back}");
        }
    }

    [Fact]
    public void A_status_line_is_the_boxs_json_with_channel_n_in_bit_n_minus_1()
    {
        Assert.Equal("""{"lv":1,"hv":0,"channels":5}""", SwitchBoxProtocol.FormatStatus(new SwitchBoxStatus(true, false, 5)));

        var status = SwitchBoxProtocol.ParseStatus("""{"lv":1,"hv":0,"channels":140737488355332}""");
        Assert.Equal([3, 48], status.EnabledChannels);
        Assert.True(status.IsEnabled(48));
        Assert.False(status.IsEnabled(1));
        Assert.Equal(2, status.EnabledCount);
        Assert.Equal("LV on, HV off, channels 3, 48 enabled", status.ToString());
        Assert.Equal("LV off, HV off, no channel enabled", SwitchBoxStatus.AllOff.ToString());
    }

    [Fact]
    public void Key_order_blanks_and_keys_a_newer_firmware_adds_do_not_matter()
    {
        var expected = new SwitchBoxStatus(false, true, 3);
        Assert.Equal(expected, SwitchBoxProtocol.ParseStatus("""{ "channels": 3, "hv": 1, "lv": 0 }"""));
        Assert.Equal(expected, SwitchBoxProtocol.ParseStatus("""{"lv":0,"hv":1,"channels":3,"fw":"2.1","temp":[31.5,30.9]}"""));
    }

    [Theory]
    [InlineData("", "bad status line \"\": not JSON")]
    [InlineData("OK", "bad status line \"OK\": not JSON")]
    [InlineData("[0,0,0]", "bad status line \"[0,0,0]\": not a JSON object")]
    [InlineData("""{"lv":0,"hv":0}""", "bad status line \"{\\\"lv\\\":0,\\\"hv\\\":0}\": \"channels\" missing")]
    [InlineData("""{"channels":0}""", "\"lv\", \"hv\" missing")]
    [InlineData("""{"lv":2,"hv":0,"channels":0}""", "\"lv\" must be 0 or 1")]
    [InlineData("""{"lv":true,"hv":0,"channels":0}""", "\"lv\" must be 0 or 1")]
    [InlineData("""{"lv":0,"hv":"0","channels":0}""", "\"hv\" must be 0 or 1")]
    [InlineData("""{"lv":0,"hv":0,"channels":-1}""", "\"channels\" must be an integer mask of 48 bits (0..281474976710655)")]
    [InlineData("""{"lv":0,"hv":0,"channels":281474976710656}""", "\"channels\" must be an integer mask of 48 bits")]
    [InlineData("""{"lv":0,"hv":0,"channels":1.5}""", "\"channels\" must be an integer mask")]
    [InlineData("""{"lv":0,"lv":1,"hv":0,"channels":0}""", "\"lv\" appears twice")]
    [InlineData("""{"lv":0,"hv":0,"channels":0}{"lv":0,"hv":0,"channels":0}""", "not JSON")]
    [InlineData("""{"lv":0,"hv":0,"channels":0""", "not JSON")]
    [InlineData("\u00ff\u00a7{#?\u0015", "status line is not printable ASCII: \"\\xFF\\xA7{#?\\x15\"")]
    public void A_bad_status_line_is_refused_quoting_it(string line, string error)
    {
        Assert.False(SwitchBoxProtocol.TryParseStatus(line, out var status, out var message));
        Assert.Null(status);
        Assert.Contains(error, message);
        Assert.Equal(line, Assert.Throws<SwitchBoxProtocolException>(() => SwitchBoxProtocol.ParseStatus(line)).RawLine);
    }
}
