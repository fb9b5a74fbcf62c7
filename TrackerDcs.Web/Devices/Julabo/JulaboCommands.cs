using System.Globalization;
using System.Text.Json;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Commands;

namespace TrackerDcs.Web.Devices.Julabo;

/// <summary>julabo/cmd/&lt;name&gt;: the seed's commands on the command bus, parsed and validated before anything goes to the unit.</summary>
public static class JulaboCommands
{
    public static void Register(CommandBus bus, JulaboService service)
    {
        foreach (var name in JulaboRequest.Names)
            bus.Register($"{JulaboTopics.Root}/cmd/{name}", (request, ct) =>
                JulaboRequest.TryParse(name, request.Payload, out var parsed, out var error)
                    ? parsed!.ExecuteAsync(service.Device, ct)
                    : Task.FromResult(CommandResult.Refused(error!)));
    }
}

/// <summary>
/// An operator command as the seed's MQTT topics carry it (<c>julabo/cmd/&lt;name&gt;</c>), parsed from
/// its payload, so that the command bus can validate, authorise and audit it before running it:
/// start, stop, refresh, reconnect, useExt, useInt (no payload: anything else is refused); setWT <c>{"setpoint":1,"temp":20}</c>;
/// useSP <c>{"setpoint":2}</c>; setPress <c>{"press":3}</c>. Parsing checks the payload's shape only;
/// limits and the state machine are the device's to check when it runs.
/// </summary>
public sealed record JulaboRequest(string Name, int? Setpoint = null, double? Temp = null, int? Press = null)
{
    public static readonly IReadOnlyList<string> Names =
        ["start", "stop", "refresh", "reconnect", "useExt", "useInt", "setWT", "useSP", "setPress"];

    /// <summary>Parses a command name (the topic's last level) and payload; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string name, string payload, out JulaboRequest? request, out string? error)
    {
        request = null;
        error = null;
        try
        {
            request = name switch
            {
                "start" or "stop" or "refresh" or "reconnect" or "useExt" or "useInt" =>
                    NoPayload.Check(name, payload) is { } refusal ? throw new FormatException(refusal) : new JulaboRequest(name),
                "setWT" => Read(payload, """{"setpoint":1,"temp":20}""", o => new JulaboRequest(name, Setpoint: Integer(o, "setpoint"), Temp: Number(o, "temp"))),
                "useSP" => Read(payload, """{"setpoint":2}""", o => new JulaboRequest(name, Setpoint: Integer(o, "setpoint"))),
                "setPress" => Read(payload, """{"press":3}""", o => new JulaboRequest(name, Press: Integer(o, "press"))),
                _ => throw new FormatException($"unknown Julabo command \"{name}\" (known: {string.Join(", ", Names)})"),
            };
            return true;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Runs the command on the device; refusals (limits, state, link) come back in the result.</summary>
    public Task<CommandResult> ExecuteAsync(JulaboDevice device, CancellationToken ct = default) => Name switch
    {
        "start" => device.StartAsync(ct),
        "stop" => device.StopAsync(ct),
        "refresh" => device.RefreshAsync(),
        "reconnect" => device.ReconnectAsync(),
        "useExt" => device.UseExternalSensorAsync(true, ct),
        "useInt" => device.UseExternalSensorAsync(false, ct),
        "setWT" => device.SetTemperatureAsync(Setpoint!.Value, Temp!.Value, ct),
        "useSP" => device.UseSetpointAsync(Setpoint!.Value, ct),
        "setPress" => device.SetPumpPressureAsync(Press!.Value, ct),
        _ => throw new InvalidOperationException($"JulaboRequest \"{Name}\" was not made by TryParse"),
    };

    /// <summary>For the audit log: <c>setWT setpoint=1 temp=20</c>.</summary>
    public override string ToString() => string.Join(' ', new[]
    {
        Name,
        Setpoint is { } s ? $"setpoint={s}" : null,
        Temp is { } t ? $"temp={t.ToString(CultureInfo.InvariantCulture)}" : null,
        Press is { } p ? $"press={p}" : null,
    }.Where(part => part is not null));

    private static JulaboRequest Read(string payload, string example, Func<JsonElement, JulaboRequest> build)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException($"payload must be a JSON object such as {example}, got {Quote(payload)}");
            return build(document.RootElement);
        }
        catch (JsonException)
        {
            throw new FormatException($"payload is not JSON: expected {example}, got {Quote(payload)}");
        }
    }

    // Numbers may come as JSON numbers or as numeric strings (Node-RED flows send both).
    private static double Number(JsonElement o, string key)
    {
        if (!o.TryGetProperty(key, out var v)) throw new FormatException($"payload has no \"{key}\"");
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d)) return d;
        if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d) && double.IsFinite(d)) return d;
        throw new FormatException($"\"{key}\" must be a number, got {Quote(v.GetRawText())}");
    }

    /// <summary>A refusal quotes what was sent, not all of it: a 1 MB payload is not echoed back whole.</summary>
    private static string Quote(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static int Integer(JsonElement o, string key)
    {
        var d = Number(o, key);
        return d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d : throw new FormatException($"\"{key}\" must be a whole number, got {d.ToString(CultureInfo.InvariantCulture)}");
    }
}
