using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Ports;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>
/// The switch box's serial protocol as text, with no I/O (issue 14). The line is 115200 baud 8N1.
/// Commands are ASCII lines ended by CR: <c>LV|ON</c>, <c>LV|OFF</c>, <c>HV|ON</c>, <c>HV|OFF</c>,
/// <c>CH&lt;n&gt;|ON</c>, <c>CH&lt;n&gt;|OFF</c> (n = 1…48), <c>CH*|OFF</c>, <c>STATUS?</c>.
/// The box answers with a JSON line ended by LF: <c>{"lv":0|1,"hv":0|1,"channels":&lt;mask&gt;}</c>,
/// the mask holding channel n in bit n-1.
/// <para>
/// Every command line is answered by one status line, the box's state after it: that is how the seed's
/// flows read the state back after switching, and the only reading under which STATUS? and the switching
/// commands share one reply format. The driver matches answers to commands by order, one command in flight,
/// and is robust to a missing answer (time-out, then STATUS?) and to an extra one (dropped before the next
/// command; any status line is the box's truth at the time it was sent, so applying it is never wrong).
/// </para>
/// </summary>
public static partial class SwitchBoxProtocol
{
    public const int ChannelCount = 48;

    /// <summary>The channel mask with every channel enabled: the 48 low bits.</summary>
    public const ulong AllChannels = (1UL << ChannelCount) - 1;

    public const string CommandTerminator = "\r";
    public const string StatusTerminator = "\n";

    /// <summary>The box's serial line: 115200 baud, 8 data bits, no parity, 1 stop bit, no handshake.</summary>
    public static readonly SerialSettings Serial = new(115200, 8, Parity.None, StopBits.One, Handshake.None);

    /// <summary>The command set, for messages that list it.</summary>
    public const string CommandList = "LV|ON, LV|OFF, HV|ON, HV|OFF, CH<n>|ON, CH<n>|OFF (n 1..48), CH*|OFF, STATUS?";

    /// <summary>The mask bit of channel 1..48; anything else is the caller's bug (validate first with <see cref="IsChannel"/>).</summary>
    public static ulong Bit(int channel) => IsChannel(channel)
        ? 1UL << (channel - 1)
        : throw new ArgumentOutOfRangeException(nameof(channel), channel, $"channels are numbered 1..{ChannelCount}");

    public static bool IsChannel(int channel) => channel is >= 1 and <= ChannelCount;

    // ---- Commands ----

    public static string Format(SwitchBoxCommand command) => command.Action switch
    {
        SwitchBoxAction.LvOn => "LV|ON",
        SwitchBoxAction.LvOff => "LV|OFF",
        SwitchBoxAction.HvOn => "HV|ON",
        SwitchBoxAction.HvOff => "HV|OFF",
        SwitchBoxAction.ChannelOn => $"CH{command.Channel.ToString(CultureInfo.InvariantCulture)}|ON",
        SwitchBoxAction.ChannelOff => $"CH{command.Channel.ToString(CultureInfo.InvariantCulture)}|OFF",
        SwitchBoxAction.AllChannelsOff => "CH*|OFF",
        SwitchBoxAction.StatusQuery => "STATUS?",
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.Action, "not a switch box action"),
    };

    public static byte[] Encode(SwitchBoxCommand command) => Encoding.ASCII.GetBytes(Format(command) + CommandTerminator);

    /// <summary>
    /// One command line (terminator removed; surrounding blanks ignored), as the box reads it and as the seed's
    /// flows send it. Commands are upper case, as the seed's flows write them. The error names what is wrong.
    /// </summary>
    public static SwitchBoxCommand ParseCommand(string line) =>
        TryParseCommand(line, out var command, out var error) ? command : throw new SwitchBoxProtocolException(error, line);

    public static bool TryParseCommand(string line, [NotNullWhen(true)] out SwitchBoxCommand? command, [NotNullWhen(false)] out string? error)
    {
        command = null;
        error = null;
        var text = line.Trim();
        switch (text)
        {
            case "LV|ON": command = SwitchBoxCommand.LvOn; return true;
            case "LV|OFF": command = SwitchBoxCommand.LvOff; return true;
            case "HV|ON": command = SwitchBoxCommand.HvOn; return true;
            case "HV|OFF": command = SwitchBoxCommand.HvOff; return true;
            case "CH*|OFF": command = SwitchBoxCommand.AllChannelsOff; return true;
            case "STATUS?": command = SwitchBoxCommand.StatusQuery; return true;
            case "CH*|ON":
                error = $"{RawText.Quote(line)} is not a switch box command: only CH*|OFF acts on all channels at once";
                return false;
        }
        var match = ChannelCommand().Match(text);
        if (!match.Success)
        {
            error = $"{RawText.Quote(line)} is not a switch box command (the box knows {CommandList})";
            return false;
        }
        var channel = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        if (!IsChannel(channel))
        {
            error = $"{RawText.Quote(line)}: channel {channel} does not exist (the box has channels 1..{ChannelCount})";
            return false;
        }
        command = SwitchBoxCommand.Switch(channel, match.Groups[2].Value == "ON");
        return true;
    }

    // ---- Status lines ----

    /// <summary>The box's status line without its terminator, keys in the box's order: <c>{"lv":1,"hv":0,"channels":5}</c>.</summary>
    public static string FormatStatus(SwitchBoxStatus status) =>
        $"{{\"lv\":{(status.Lv ? 1 : 0)},\"hv\":{(status.Hv ? 1 : 0)},\"channels\":{status.Channels.ToString(CultureInfo.InvariantCulture)}}}";

    public static SwitchBoxStatus ParseStatus(string line) =>
        TryParseStatus(line, out var status, out var error) ? status : throw new SwitchBoxProtocolException(error, line);

    /// <summary>
    /// One status line (terminator removed). Strict about the three keys the protocol defines (each once, lv
    /// and hv 0 or 1, channels an integer of 48 bits), because a wrong baud rate or line noise can still
    /// produce something JSON-like; other keys are ignored, so that a firmware adding one does not cut the link.
    /// </summary>
    public static bool TryParseStatus(string line, [NotNullWhen(true)] out SwitchBoxStatus? status, [NotNullWhen(false)] out string? error)
    {
        status = null;
        error = null;
        foreach (var c in line)
            if (c is < ' ' or > '~')
            {
                error = $"status line is not printable ASCII: {RawText.Quote(line)}";
                return false;
            }
        try
        {
            var reader = new Utf8JsonReader(Encoding.ASCII.GetBytes(line));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return Bad(line, "not a JSON object", out error);
            int? lv = null, hv = null;
            ulong? channels = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                switch (key)
                {
                    case "lv" when lv is not null:
                    case "hv" when hv is not null:
                    case "channels" when channels is not null:
                        return Bad(line, $"\"{key}\" appears twice", out error);
                    case "lv" or "hv":
                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var flag) || flag is not (0 or 1))
                            return Bad(line, $"\"{key}\" must be 0 or 1", out error);
                        if (key == "lv") lv = flag;
                        else hv = flag;
                        break;
                    case "channels":
                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out var mask) || mask > AllChannels)
                            return Bad(line, $"\"channels\" must be an integer mask of {ChannelCount} bits (0..{AllChannels})", out error);
                        channels = mask;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                return Bad(line, "not a single JSON object", out error);
            var missing = new[] { ("lv", lv is null), ("hv", hv is null), ("channels", channels is null) }.Where(k => k.Item2).Select(k => $"\"{k.Item1}\"").ToList();
            if (missing.Count > 0) return Bad(line, $"{string.Join(", ", missing)} missing", out error);
            status = new SwitchBoxStatus(lv == 1, hv == 1, channels!.Value);
            return true;
        }
        catch (JsonException e)
        {
            return Bad(line, $"not JSON ({e.Message})", out error);
        }
    }

    private static bool Bad(string line, string what, out string error)
    {
        error = $"bad status line {RawText.Quote(line)}: {what}";
        return false;
    }

    [GeneratedRegex(@"^CH(\d{1,3})\|(ON|OFF)$")]
    private static partial Regex ChannelCommand();
}
