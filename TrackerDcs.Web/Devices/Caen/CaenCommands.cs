using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        bus.Register($"{root}/cmd/setramp/hv/+", (r, ct) => SetRampAsync(service, r, ct));
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

    /// <summary>
    /// dcs/cmd/setramp/hv/&lt;id&gt;: the channel's HV ramp rates in V/s, a number for both (<c>20</c>) or each on its
    /// own (<c>{"up":20,"down":50}</c>, either may be left out). The driver checks them against the boards' bounds.
    /// </summary>
    private static async Task<CommandResult> SetRampAsync(CaenService service, CommandRequest request, CancellationToken ct)
    {
        var id = CommandRoute.Level(request.Topic, 4);
        if (RampRates(request.Payload.Trim()) is not { } rates || rates is { Up: null, Down: null })
            return CommandResult.Refused($"payload '{Quote(request.Payload)}' is not a ramp rate: a number of V/s for both, or {{\"up\":…,\"down\":…}}");
        return await service.Device.SetRampAsync(id, rates.Up, rates.Down, ct);
    }

    private static (double? Up, double? Down)? RampRates(string payload)
    {
        if (double.TryParse(payload, NumberStyles.Float, CultureInfo.InvariantCulture, out var both)) return (both, both);
        try
        {
            if (JsonNode.Parse(payload) is not JsonObject json || json.Any(p => p.Key is not ("up" or "down"))) return null;
            return (Rate(json["up"]), Rate(json["down"]));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;   // not JSON, or a rate that is no number: the caller names the payload
        }
    }

    private static double? Rate(JsonNode? node) => node?.GetValue<double>();

    private static string Quote(string payload) => payload.Length <= 40 ? payload : payload[..40] + "…";
}
