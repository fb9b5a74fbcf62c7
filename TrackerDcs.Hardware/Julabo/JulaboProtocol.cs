using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// The Julabo RS-232 command set as text, with no I/O: building commands, turning them into bytes,
/// and parsing the replies. Commands are ASCII ended by CR; replies end with CR LF.
/// Set points are numbered 1–3 here as on the unit's panel; on the wire they are 00–02
/// (<c>IN_SP_00</c> is set point 1, <c>OUT_MODE_01 0</c> selects set point 1).
/// </summary>
public static partial class JulaboProtocol
{
    public const string CommandTerminator = "\r";
    public const string ReplyTerminator = "\r\n";
    public const int SetpointCount = 3;

    /// <summary>Every command name the project uses, for the simulator and for round-trip tests.</summary>
    public static readonly IReadOnlySet<string> KnownCommands = new HashSet<string>(StringComparer.Ordinal)
    {
        "VERSION", "STATUS", "IN_PV_00", "IN_PV_01", "IN_PV_02", "IN_SP_00", "IN_SP_01", "IN_SP_02",
        "IN_MODE_01", "IN_MODE_04", "OUT_SP_00", "OUT_SP_01", "OUT_SP_02", "OUT_MODE_01", "OUT_MODE_04",
        "OUT_MODE_05", "OUT_SP_07", "IN_SP_03", "IN_SP_04", "OUT_SP_03", "OUT_SP_04",
    };

    public static JulaboCommand Version() => new("VERSION");
    public static JulaboCommand Status() => new("STATUS");
    public static JulaboCommand ReadBathTemperature() => new("IN_PV_00");
    public static JulaboCommand ReadPower() => new("IN_PV_01");
    public static JulaboCommand ReadExternalTemperature() => new("IN_PV_02");
    public static JulaboCommand ReadSetpoint(int setpoint) => new($"IN_SP_0{WireIndex(setpoint)}");
    public static JulaboCommand ReadSelectedSetpoint() => new("IN_MODE_01");
    public static JulaboCommand ReadExternalControl() => new("IN_MODE_04");
    public static JulaboCommand WriteSetpoint(int setpoint, double celsius) =>
        new($"OUT_SP_0{WireIndex(setpoint)}", FormatNumber(celsius));
    public static JulaboCommand SelectSetpoint(int setpoint) => new("OUT_MODE_01", WireIndex(setpoint).ToString(CultureInfo.InvariantCulture));
    public static JulaboCommand UseExternalControl(bool external) => new("OUT_MODE_04", external ? "1" : "0");
    public static JulaboCommand StartStop(bool start) => new("OUT_MODE_05", start ? "1" : "0");
    public static JulaboCommand WritePumpStage(int stage) => new("OUT_SP_07", stage.ToString(CultureInfo.InvariantCulture));

    // The warning limits ("OverTemp" and "SubTemp" in the unit's menu): outside them the unit reports
    // -03 EXCESS TEMPERATURE WARNING or -04 LOW TEMPERATURE WARNING and, when so configured on the unit,
    // acts by itself. Read back like set points (IN_SP_xx answers a number). The excess-temperature
    // protector (IN_PV_03) is a dial on the unit: it has no OUT_ command.
    public static JulaboCommand ReadHighWarningLimit() => new("IN_SP_03");
    public static JulaboCommand ReadLowWarningLimit() => new("IN_SP_04");
    public static JulaboCommand WriteHighWarningLimit(double celsius) => new("OUT_SP_03", FormatNumber(celsius));
    public static JulaboCommand WriteLowWarningLimit(double celsius) => new("OUT_SP_04", FormatNumber(celsius));

    /// <summary>Set point 1–3 as the wire's 0–2; anything else is a bug in the caller, who validates first.</summary>
    public static int WireIndex(int setpoint) => setpoint is >= 1 and <= SetpointCount
        ? setpoint - 1
        : throw new ArgumentOutOfRangeException(nameof(setpoint), setpoint, "set points are numbered 1..3");

    public static string Format(JulaboCommand command) => command + CommandTerminator;

    public static byte[] Encode(JulaboCommand command) => Encoding.ASCII.GetBytes(Format(command));

    /// <summary>Parses one received command line (terminator already removed), as the simulator does.</summary>
    public static JulaboCommand ParseCommand(string line)
    {
        var trimmed = line.Trim();
        var space = trimmed.IndexOf(' ');
        var name = space < 0 ? trimmed : trimmed[..space];
        var argument = space < 0 ? null : trimmed[(space + 1)..].Trim();
        if (!KnownCommands.Contains(name))
            throw new JulaboProtocolException($"unknown command {Quote(line)}", line);
        var command = new JulaboCommand(name, string.IsNullOrEmpty(argument) ? null : argument);
        if (command.ExpectsReply != (command.Argument is null))
            throw new JulaboProtocolException(
                command.ExpectsReply ? $"{name} takes no argument: {Quote(line)}" : $"{name} needs an argument: {Quote(line)}", line);
        return command;
    }

    public static string FormatReply(string text) => text + ReplyTerminator;

    /// <summary>Numbers go out with two decimals, as the units print them.</summary>
    public static string FormatNumber(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>What IN_PV_02 answers when no external Pt100 is plugged in.</summary>
    public const string NoReading = "---.--";

    /// <summary>A temperature as a unit answers IN_PV_00/02: two decimals right-aligned in seven characters, <c>"  21.35"</c>.</summary>
    public static string FormatReading(double celsius) => FormatNumber(celsius).PadLeft(7);

    /// <summary>A set point or limit as a unit answers IN_SP_xx: two decimals zero-padded to six characters, <c>"020.00"</c>, <c>"-05.50"</c>.</summary>
    public static string FormatSetpointReading(double celsius) => celsius < 0
        ? "-" + (-celsius).ToString("00.00", CultureInfo.InvariantCulture)
        : celsius.ToString("000.00", CultureInfo.InvariantCulture);

    /// <summary>The power as a unit answers IN_PV_01: whole percent, right-aligned in three characters, <c>"-35"</c>, <c>"  0"</c>.</summary>
    public static string FormatPower(double percent) =>
        ((int)Math.Round(percent, MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture).PadLeft(3);

    public static string FormatStatus(JulaboUnitStatus status) =>
        (status.Code < 0 ? "-" : "") + Math.Abs(status.Code).ToString("00", CultureInfo.InvariantCulture) + " " + status.Text;

    /// <summary>A reply to IN_PV_xx or IN_SP_xx, e.g. <c>"  18.50"</c>.</summary>
    public static double ParseNumber(string raw)
    {
        RequirePrintable(raw);
        if (double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            return value;
        throw new JulaboProtocolException($"expected a number, got {Quote(raw)}", raw);
    }

    /// <summary>
    /// A reply to IN_PV_02, the external Pt100: a number, or null when the unit has no reading from it. A unit
    /// without the sensor answers printable text that is not a number ("---.--"); line noise is still an error.
    /// </summary>
    public static double? ParseReading(string raw)
    {
        RequirePrintable(raw);
        return double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : null;
    }

    /// <summary>A reply to IN_MODE_xx, e.g. <c>"1"</c>.</summary>
    public static int ParseInteger(string raw)
    {
        RequirePrintable(raw);
        if (int.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return value;
        throw new JulaboProtocolException($"expected an integer, got {Quote(raw)}", raw);
    }

    /// <summary>A reply to IN_MODE_01: the selected set point 0–2 on the wire, returned as 1–3.</summary>
    public static int ParseSelectedSetpoint(string raw)
    {
        var wire = ParseInteger(raw);
        return wire is >= 0 and < SetpointCount
            ? wire + 1
            : throw new JulaboProtocolException($"expected a set point index 0..2, got {Quote(raw)}", raw);
    }

    /// <summary>A reply to IN_MODE_04: 1 when the external sensor is in control, 0 when the internal one is.</summary>
    public static bool ParseFlag(string raw) => ParseInteger(raw) switch
    {
        0 => false,
        1 => true,
        _ => throw new JulaboProtocolException($"expected 0 or 1, got {Quote(raw)}", raw),
    };

    /// <summary>A reply to STATUS, e.g. <c>"03 REMOTE START"</c> or <c>"-08 INVALID COMMAND"</c>.</summary>
    public static JulaboUnitStatus ParseStatus(string raw)
    {
        RequirePrintable(raw);
        var match = StatusPattern().Match(raw);
        if (!match.Success)
            throw new JulaboProtocolException($"expected a status code and text, got {Quote(raw)}", raw);
        return new JulaboUnitStatus(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value.Trim());
    }

    /// <summary>A reply to VERSION: any printable text.</summary>
    public static string ParseVersion(string raw)
    {
        RequirePrintable(raw);
        return raw.Trim().Length > 0 ? raw.Trim() : throw new JulaboProtocolException($"expected a version text, got {Quote(raw)}", raw);
    }

    /// <summary>
    /// The raw reply in quotes, with control and non-ASCII characters escaped, so that an error
    /// message shows exactly what came down the wire.
    /// </summary>
    public static string Quote(string raw)
    {
        var sb = new StringBuilder(raw.Length + 2).Append('"');
        foreach (var c in raw)
        {
            if (c is >= ' ' and <= '~' && c != '"' && c != '\\') sb.Append(c);
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\n') sb.Append("\\n");
            else sb.Append(c <= 0xFF ? $"\\x{(int)c:X2}" : $"\\u{(int)c:X4}");
        }
        return sb.Append('"').ToString();
    }

    // Replies are plain ASCII; anything else is line noise or a wrong serial setting (a 7-bit unit read as 8N1).
    private static void RequirePrintable(string raw)
    {
        foreach (var c in raw)
            if (c is < ' ' or > '~')
                throw new JulaboProtocolException($"reply is not printable ASCII: {Quote(raw)}", raw);
    }

    [GeneratedRegex(@"^\s*(-?\d{1,3})\s+(\S.*)$")]
    private static partial Regex StatusPattern();
}
