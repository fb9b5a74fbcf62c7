using System.Text.Json.Nodes;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Marta;

namespace TrackerDcs.Web.Devices.Marta;

/// <summary>
/// MARTA's MQTT topics and payloads, the seed's, as its clients and the InfluxDB measurement MARTA read them.
/// MARTA/status: a JSON object of register name → value for the values that passed their deadband (all of them on a
/// forced publish), with fsm_state when the state changed (<see cref="MartaPublishFilter"/> decides which). A float32
/// is written as the shortest text of the float itself ("21.5", not the widened double's digits); a NaN (a broken
/// sensor) as null, since JSON has no NaN and Telegraf's parser would drop the whole message. MARTA/alarms: plain
/// text, one "&lt;message&gt; (&lt;register&gt;)" line per alarm bit set, empty when none. Pure functions.
/// </summary>
public static class MartaTopics
{
    public const string Root = "MARTA";
    public const string Status = $"{Root}/status";
    public const string Alarms = $"{Root}/alarms";
    public const string StateKey = "fsm_state";

    public static JsonObject StatusPayload(MartaPublication publication)
    {
        var payload = new JsonObject();
        foreach (var (name, value) in publication.Values) payload[name] = Json(value);
        if (publication.State is { } state) payload[StateKey] = state.Wire();
        return payload;
    }

    public static JsonNode? Json(MartaValue value) => value.Type switch
    {
        _ when double.IsNaN(value.Number) || double.IsInfinity(value.Number) => null,
        MartaRegisterType.Float32 => JsonValue.Create((float)value.Number),
        _ => JsonValue.Create((int)value.Number),
    };

    /// <summary>Null while the link is down: alarm bits last read are not current, and an empty text would say "no alarms".</summary>
    public static string? AlarmsPayload(MartaView view) =>
        view.Live ? string.Join('\n', view.Alarms.Select(a => a.Line)) : null;
}
