using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Web.Commands;

namespace TrackerDcs.Web.Devices.SwitchBox;

/// <summary>
/// The switch box's commands on the command bus (serial mode: the driver carries them out):
/// <c>SB/cmd</c> with the seed's payloads (<c>LV|ON</c>, <c>CH5|OFF</c>, <c>CH*|OFF</c>, <c>STATUS?</c>), and
/// <c>SB/cmd/lv</c>, <c>SB/cmd/hv</c>, <c>SB/cmd/channel/&lt;n&gt;</c> with <c>on</c>/<c>off</c>, answered on SB/reply.
/// STATUS? is answered from the last status and is a query: not audited (the seed's panel polled it once a second).
/// </summary>
public static class SwitchBoxCommands
{
    public const string Lv = $"{SwitchBoxTopics.Command}/lv";
    public const string Hv = $"{SwitchBoxTopics.Command}/hv";
    public const string Channel = $"{SwitchBoxTopics.Command}/channel/+";

    public static void Register(CommandBus bus, SwitchBoxService service)
    {
        bus.Register(SwitchBoxTopics.Command, (request, ct) =>
            !SwitchBoxProtocol.TryParseCommand(request.Payload, out var command, out var error) ? Refused(error)
            : command.IsQuery ? Task.FromResult(CommandResult.Success(SwitchBoxTopics.StatusPayload(service.View)))
            : service.Device!.ExecuteAsync(command, ct),
            isQuery: IsStatusQuery);
        bus.Register(Lv, (request, ct) => TryParseOnOff(request.Payload, out var on, out var error)
            ? service.Device!.ExecuteAsync(SwitchBoxCommand.Lv(on), ct) : Refused(error));
        bus.Register(Hv, (request, ct) => TryParseOnOff(request.Payload, out var on, out var error)
            ? service.Device!.ExecuteAsync(SwitchBoxCommand.Hv(on), ct) : Refused(error));
        bus.Register(Channel, (request, ct) =>
        {
            var level = CommandRoute.Level(request.Topic, 3);
            if (!int.TryParse(level, NumberStyles.None, CultureInfo.InvariantCulture, out var channel) || !SwitchBoxProtocol.IsChannel(channel))
                return Refused($"'{level}' is not a channel of the switch box (1..{SwitchBoxProtocol.ChannelCount})");
            return TryParseOnOff(request.Payload, out var on, out var error)
                ? service.Device!.SwitchChannelAsync(channel, on, ct) : Refused(error);
        });
    }

    /// <summary>STATUS? changes nothing: it is answered, not audited.</summary>
    public static bool IsStatusQuery(string payload) =>
        SwitchBoxProtocol.TryParseCommand(payload, out var command, out _) && command.IsQuery;

    /// <summary><c>on</c> or <c>off</c> (any case, blanks ignored), as the seed's dcs/cmd/switch topics take them.</summary>
    public static bool TryParseOnOff(string payload, out bool on, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (payload.Trim().ToLowerInvariant())
        {
            case "on": on = true; return true;
            case "off": on = false; return true;
            default:
                on = false;
                error = $"payload must be on or off, got '{payload}'";
                return false;
        }
    }

    private static Task<CommandResult> Refused(string reason) => Task.FromResult(CommandResult.Refused(reason));
}
