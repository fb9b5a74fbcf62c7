using System.Text.Json;
using System.Text.Json.Nodes;
using TrackerDcs.Web.Devices.Marta;
using TrackerDcs.Web.Devices.SwitchBox;

using static TrackerDcs.Web.Site.MirroredPayload;

namespace TrackerDcs.Web.Site;

/// <summary>A stand's CO2 plant from its MARTA/status and MARTA/alarms: its state, every register value it has published (null: a broken sensor), its alarm lines.</summary>
public sealed record StandMarta(string? State, IReadOnlyDictionary<string, double?> Values, IReadOnlyList<string> Alarms);

/// <summary>A stand's switch box from its SB/status: its state, the LV and HV relays (null until the box answered), the enabled channels.</summary>
public sealed record StandSwitchBox(string? State, bool? Lv, bool? Hv, IReadOnlyList<int> EnabledChannels);

/// <summary>
/// How the site reads the mirrored payloads of a stand's MARTA and switch box. MARTA/status carries only the registers
/// that passed their deadband (MartaPublishFilter), so the site merges each into the last; MARTA/alarms is plain text.
/// </summary>
internal static class StandDevices
{
    /// <summary>The payload the site keeps for a mirrored MARTA topic, or null when it is not one of them.</summary>
    public static JsonElement? Keep(string topic, string payload, JsonElement? previous)
    {
        if (topic == MartaTopics.Alarms) return JsonSerializer.SerializeToElement(payload);
        if (topic != MartaTopics.Status) return null;
        JsonObject merged;
        try
        {
            merged = previous is { ValueKind: JsonValueKind.Object } last ? JsonNode.Parse(last.GetRawText())!.AsObject() : [];
            foreach (var (name, value) in JsonNode.Parse(payload)?.AsObject() ?? []) merged[name] = value?.DeepClone();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
        return JsonSerializer.SerializeToElement(merged);
    }

    public static StandMarta? Marta(string? state, Dictionary<string, JsonElement> topics)
    {
        if (!topics.TryGetValue(MartaTopics.Status, out var status) || status.ValueKind != JsonValueKind.Object) return null;
        var values = status.EnumerateObject().Where(p => p.Name != MartaTopics.StateKey && p.Value.ValueKind is JsonValueKind.Number or JsonValueKind.Null)
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : (double?)null, StringComparer.Ordinal);
        var alarms = topics.TryGetValue(MartaTopics.Alarms, out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        return new StandMarta(state, values, alarms);
    }

    public static StandSwitchBox? SwitchBox(string? state, Dictionary<string, JsonElement> topics)
    {
        if (!topics.TryGetValue(SwitchBoxTopics.Status, out var status) || status.ValueKind != JsonValueKind.Object) return null;
        var channels = status.TryGetProperty("enabled_channels", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out _)).Select(c => c.GetInt32()).ToList()
            : [];
        return new StandSwitchBox(state, Number(status, "lv") is { } lv ? lv != 0 : null, Number(status, "hv") is { } hv ? hv != 0 : null, channels);
    }
}
