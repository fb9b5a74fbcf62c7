using System.Globalization;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Commands;

namespace TrackerDcs.Web.Devices.Caen;

/// <summary>The seed's dcs/cmd/… topics on the command bus: parse and check the payload, then ask the driver.</summary>
public static class CaenCommands
{
    public static void Register(CommandBus bus, string root, CaenService service)
    {
        bus.Register($"{root}/cmd/switch/lv", (r, ct) => SwitchAsync(service, PowerKind.Lv, r, ct));
        bus.Register($"{root}/cmd/switch/hv", (r, ct) => SwitchAsync(service, PowerKind.Hv, r, ct));
        bus.Register($"{root}/cmd/setv/lv/+", (r, ct) => SetVoltageAsync(service, PowerKind.Lv, r, ct));
        bus.Register($"{root}/cmd/setv/hv/+", (r, ct) => SetVoltageAsync(service, PowerKind.Hv, r, ct));
        bus.Register($"{root}/cmd/clear", NoPayload.Handler("clear", (_, ct) => service.Device.ClearAlarmsAsync(ct)));
        bus.Register($"{root}/cmd/refresh", NoPayload.Handler("refresh", async (_, ct) =>
        {
            await service.PublishAsync(ct);
            return CommandResult.Success();
        }));
        bus.Register($"{root}/cmd/reload", NoPayload.Handler("reload", (_, ct) => service.ReloadAsync(ct)));
        bus.Register($"{root}/cmd/reconnect", NoPayload.Handler("reconnect", (_, ct) => service.Device.ApplySettingsAsync(ct)));
    }

    private static async Task<CommandResult> SwitchAsync(CaenService service, PowerKind kind, CommandRequest request, CancellationToken ct)
    {
        var on = request.Payload.Trim().ToLowerInvariant() switch
        {
            "on" or "1" or "true" => (bool?)true,
            "off" or "0" or "false" => false,
            _ => null,
        };
        if (on is null) return CommandResult.Refused($"payload '{Quote(request.Payload)}' is neither on nor off");
        return await service.Device.SwitchAsync(kind, on.Value, ct);
    }

    private static async Task<CommandResult> SetVoltageAsync(CaenService service, PowerKind kind, CommandRequest request, CancellationToken ct)
    {
        var id = CommandRoute.Level(request.Topic, 4);
        if (!double.TryParse(request.Payload.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var volts))
            return CommandResult.Refused($"payload '{Quote(request.Payload)}' is not a voltage in volts");
        return await service.SetVoltageAsync(kind, id, volts, request.User, ct);
    }

    private static string Quote(string payload) => payload.Length <= 40 ? payload : payload[..40] + "…";
}
