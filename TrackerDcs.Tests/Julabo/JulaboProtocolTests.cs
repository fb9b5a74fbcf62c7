using TrackerDcs.Hardware.Common;
using System.Text;
using TrackerDcs.Hardware.Julabo;

namespace TrackerDcs.Tests.Julabo;

/// <summary>The wire format with no I/O: every command through format → bytes → framer → parse, and every reply kind.</summary>
public class JulaboProtocolTests
{
    public static TheoryData<string, JulaboCommand, string> AllCommands => new()
    {
        { "VERSION", JulaboProtocol.Version(), "VERSION\r" },
        { "STATUS", JulaboProtocol.Status(), "STATUS\r" },
        { "bath temperature", JulaboProtocol.ReadBathTemperature(), "IN_PV_00\r" },
        { "power", JulaboProtocol.ReadPower(), "IN_PV_01\r" },
        { "external Pt100", JulaboProtocol.ReadExternalTemperature(), "IN_PV_02\r" },
        { "read set point 1", JulaboProtocol.ReadSetpoint(1), "IN_SP_00\r" },
        { "read set point 2", JulaboProtocol.ReadSetpoint(2), "IN_SP_01\r" },
        { "read set point 3", JulaboProtocol.ReadSetpoint(3), "IN_SP_02\r" },
        { "selected set point", JulaboProtocol.ReadSelectedSetpoint(), "IN_MODE_01\r" },
        { "external control?", JulaboProtocol.ReadExternalControl(), "IN_MODE_04\r" },
        { "write set point 1", JulaboProtocol.WriteSetpoint(1, 18.5), "OUT_SP_00 18.50\r" },
        { "write set point 2", JulaboProtocol.WriteSetpoint(2, -25), "OUT_SP_01 -25.00\r" },
        { "write set point 3", JulaboProtocol.WriteSetpoint(3, 0.126), "OUT_SP_02 0.13\r" },
        { "select set point 3", JulaboProtocol.SelectSetpoint(3), "OUT_MODE_01 2\r" },
        { "external sensor on", JulaboProtocol.UseExternalControl(true), "OUT_MODE_04 1\r" },
        { "external sensor off", JulaboProtocol.UseExternalControl(false), "OUT_MODE_04 0\r" },
        { "start", JulaboProtocol.StartStop(true), "OUT_MODE_05 1\r" },
        { "stop", JulaboProtocol.StartStop(false), "OUT_MODE_05 0\r" },
        { "pump stage", JulaboProtocol.WritePumpStage(3), "OUT_SP_07 3\r" },
        { "read high warning limit", JulaboProtocol.ReadHighWarningLimit(), "IN_SP_03\r" },
        { "read low warning limit", JulaboProtocol.ReadLowWarningLimit(), "IN_SP_04\r" },
        { "write high warning limit", JulaboProtocol.WriteHighWarningLimit(30), "OUT_SP_03 30.00\r" },
        { "write low warning limit", JulaboProtocol.WriteLowWarningLimit(-35.5), "OUT_SP_04 -35.50\r" },
    };

    [Theory]
    [MemberData(nameof(AllCommands))]
    public void Every_command_round_trips_through_bytes(string what, JulaboCommand command, string wire)
    {
        var bytes = JulaboProtocol.Encode(command);
        Assert.Equal(wire, Encoding.ASCII.GetString(bytes));

        var lines = new LineFramer().Push(bytes);
        var parsed = JulaboProtocol.ParseCommand(Assert.Single(lines));
        Assert.True(command == parsed, what);
        Assert.Equal(command.Argument is null, command.ExpectsReply);
    }

    [Fact]
    public void Every_known_command_is_covered_by_the_theory()
    {
        var covered = AllCommands.Select(row => ((JulaboCommand)row[1]).Name).ToHashSet();
        Assert.Equal(JulaboProtocol.KnownCommands.OrderBy(n => n), covered.OrderBy(n => n));
    }

    [Theory]
    [InlineData("03 REMOTE START", 3, "REMOTE START")]
    [InlineData("02 REMOTE STOP", 2, "REMOTE STOP")]
    [InlineData("00 MANUAL STOP", 0, "MANUAL STOP")]
    [InlineData("01 MANUAL START", 1, "MANUAL START")]
    [InlineData("-08 INVALID COMMAND", -8, "INVALID COMMAND")]
    [InlineData("-01 LOW LIQUID LEVEL ALARM", -1, "LOW LIQUID LEVEL ALARM")]
    public void Status_replies_parse_and_format_back(string raw, int code, string text)
    {
        var status = JulaboProtocol.ParseStatus(raw);
        Assert.Equal(new JulaboUnitStatus(code, text), status);
        Assert.Equal(raw, JulaboProtocol.FormatStatus(status));
        Assert.Equal(code < 0, status.IsAlarm);
    }

    [Theory]
    [InlineData("  18.50", 18.5)]
    [InlineData("-25.00", -25)]
    [InlineData("100", 100)]
    public void Number_replies_parse(string raw, double value) => Assert.Equal(value, JulaboProtocol.ParseNumber(raw));

    [Theory]
    [InlineData("  21.35", 21.35)]
    [InlineData("---.--", null)]
    [InlineData("------", null)]
    [InlineData("", null)]
    public void External_sensor_replies_are_a_number_or_no_reading(string raw, double? value) => Assert.Equal(value, JulaboProtocol.ParseReading(raw));

    [Fact]
    public void External_sensor_line_noise_is_still_an_error() =>
        Assert.Throws<JulaboProtocolException>(() => JulaboProtocol.ParseReading("\u00ff\u00fe#"));

    [Fact]
    public void Mode_replies_map_the_wire_index_to_set_points_1_to_3()
    {
        Assert.Equal(1, JulaboProtocol.ParseSelectedSetpoint("0"));
        Assert.Equal(3, JulaboProtocol.ParseSelectedSetpoint("2"));
        Assert.True(JulaboProtocol.ParseFlag("1"));
        Assert.False(JulaboProtocol.ParseFlag("0"));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("18,5")]
    [InlineData("\u00ff\u00fe#")]
    [InlineData("")]
    public void Bad_numbers_quote_the_raw_reply(string raw)
    {
        var e = Assert.Throws<JulaboProtocolException>(() => JulaboProtocol.ParseNumber(raw));
        Assert.Equal(raw, e.RawReply);
        Assert.Contains(JulaboProtocol.Quote(raw), e.Message);
    }

    [Fact]
    public void Bad_status_and_mode_replies_quote_the_raw_reply()
    {
        Assert.Contains("\"REMOTE START\"", Assert.Throws<JulaboProtocolException>(() => JulaboProtocol.ParseStatus("REMOTE START")).Message);
        Assert.Contains("\"\\xFF03\"", Assert.Throws<JulaboProtocolException>(() => JulaboProtocol.ParseStatus("\u00ff03")).Message);
        Assert.Contains("\"3\"", Assert.Throws<JulaboProtocolException>(() => JulaboProtocol.ParseSelectedSetpoint("3")).Message);
        Assert.Contains("\"2\"", Assert.Throws<JulaboProtocolException>(() => JulaboProtocol.ParseFlag("2")).Message);
    }

    [Theory]
    [InlineData("IN_PV_09")]
    [InlineData("OUT_SP_00")]
    [InlineData("STATUS 1")]
    [InlineData("hello")]
    public void Unknown_or_malformed_commands_are_refused(string line) =>
        Assert.Throws<JulaboProtocolException>(() => JulaboProtocol.ParseCommand(line));

    [Fact]
    public void Set_point_numbers_outside_1_to_3_are_a_caller_bug()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JulaboProtocol.ReadSetpoint(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => JulaboProtocol.WriteSetpoint(4, 20));
    }

    [Fact]
    public void Randomised_replies_never_escape_as_anything_but_a_protocol_error()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var i = 0; i < 2000; i++)
        {
            var raw = new string(Enumerable.Range(0, random.Next(0, 12)).Select(_ => (char)random.Next(0, 256)).ToArray());
            foreach (var parse in new Action<string>[]
                     { r => JulaboProtocol.ParseNumber(r), r => JulaboProtocol.ParseStatus(r), r => JulaboProtocol.ParseFlag(r), r => JulaboProtocol.ParseSelectedSetpoint(r), r => JulaboProtocol.ParseVersion(r) })
            {
                try { parse(raw); }
                catch (JulaboProtocolException) { }
                catch (Exception e) { Assert.Fail($"seed {seed}: {JulaboProtocol.Quote(raw)} threw {e}"); }
            }
        }
    }
}
