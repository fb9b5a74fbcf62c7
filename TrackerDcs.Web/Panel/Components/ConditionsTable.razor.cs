using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Runs;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// A run's conditions as tables, not as JSON (issue 20): the stored snapshots flattened to one row per quantity
/// ("channel 0 · lv_vMon"), start and end side by side; InfluxDB's points as one table per measurement.
/// </summary>
public partial class ConditionsTable
{
    private const int RowLimit = InfluxConditionsQuery.RowLimit;

    /// <summary>The data of the conditions reply: run, from_ms, to_ms, source, conditions (and influxdb_error).</summary>
    [Parameter, EditorRequired] public JsonObject Reply { get; set; } = [];

    public sealed record SnapshotRow(string Quantity, ConditionValue? Start, ConditionValue? End);

    public sealed record Measurement(string Name, IReadOnlyList<string> Columns, IReadOnlyList<Dictionary<string, ConditionValue>> Rows);

    private string? InfluxError { get; set; }
    private IReadOnlyList<SnapshotRow>? Snapshots { get; set; }
    private IReadOnlyList<Measurement> Measurements { get; set; } = [];

    protected override void OnParametersSet()
    {
        InfluxError = Reply["influxdb_error"]?.GetValue<string>();
        var conditions = Reply["conditions"] as JsonObject ?? [];
        if (Reply["source"]?.GetValue<string>() == "influxdb")
        {
            Snapshots = null;
            Measurements = [.. conditions.Select(m => ToMeasurement(m.Key, m.Value as JsonArray ?? []))];
        }
        else
        {
            Measurements = [];
            Snapshots = SnapshotRows(conditions["start"] as JsonObject, conditions["end"] as JsonObject);
        }
    }

    /// <summary>The two snapshots flattened, their quantities in the order they first appear.</summary>
    public static IReadOnlyList<SnapshotRow> SnapshotRows(JsonObject? start, JsonObject? end)
    {
        var (atStart, atEnd) = (new Dictionary<string, ConditionValue>(), new Dictionary<string, ConditionValue>());
        Flatten("", start, atStart);
        Flatten("", end, atEnd);
        return [.. atStart.Keys.Concat(atEnd.Keys).Distinct()
            .Select(q => new SnapshotRow(q, atStart.GetValueOrDefault(q), atEnd.GetValueOrDefault(q)))];
    }

    /// <summary>
    /// An object's values under their paths: nested objects join their keys with " · "; a list of things with an id
    /// (the channels) gives each its own path, "channel 0"; a list of alarms is their keys.
    /// </summary>
    private static void Flatten(string path, JsonNode? node, Dictionary<string, ConditionValue> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (key == "id" && path.Length > 0) continue;   // in the path already
                    var name = key == "fsm_state" ? "state" : key.EndsWith("_ms", StringComparison.Ordinal) ? key[..^3] : key;
                    if (key.EndsWith("_ms", StringComparison.Ordinal) && value is JsonValue v && v.TryGetValue<long>(out var ms))
                        into[Join(path, name)] = new ConditionValue.Time(ms);
                    else
                        Flatten(Join(path, name), value, into);
                }
                break;
            case JsonArray a when a.Count > 0 && a.All(e => e is JsonObject { } item && item["id"] is not null):
                // "channels" → "channel 0": the list's name made singular, the item's id after it.
                var singular = path.EndsWith('s') ? path[..^1] : path;
                foreach (var item in a) Flatten($"{singular} {item!["id"]}", item, into);
                break;
            case JsonArray a when a.All(e => e is JsonObject { } item && item["key"] is not null):
                into[path] = new ConditionValue.Text(a.Count == 0 ? "none" : string.Join(", ", a.Select(e => e!["key"]!.ToString())));
                break;
            default:
                into[path] = Value(path, node);
                break;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path} · {key}";

    private static ConditionValue Value(string path, JsonNode? node) => node switch
    {
        null => new ConditionValue.Text("—"),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => new ConditionValue.Text(v.GetValue<double>().ToString("0.####", CultureInfo.InvariantCulture)),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => new ConditionValue.Text(v.GetValue<bool>() ? "yes" : "no"),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && path.EndsWith("sha256", StringComparison.Ordinal) && v.GetValue<string>() is { Length: > 12 } hash =>
            new ConditionValue.Text(hash[..12] + "…", hash),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => new ConditionValue.Text(v.GetValue<string>()),
        JsonArray a => new ConditionValue.Text(a.Count == 0 ? "none" : string.Join(", ", a.Select(e => e?.ToString() ?? "—"))),
        _ => new ConditionValue.Text(node.ToJsonString()),
    };

    /// <summary>InfluxDB's points of one measurement: its columns in the order they first appear, "time" as a time.</summary>
    private static Measurement ToMeasurement(string name, JsonArray points)
    {
        var rows = new List<Dictionary<string, ConditionValue>>();
        foreach (var point in points.OfType<JsonObject>())
        {
            var row = new Dictionary<string, ConditionValue>();
            foreach (var (column, value) in point)
                row[column] = column == "time" && value is JsonValue t && t.TryGetValue<string>(out var text)
                    && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    ? new ConditionValue.Time(at.ToUnixTimeMilliseconds())
                    : Value(column, value);
            rows.Add(row);
        }
        return new Measurement(name, [.. rows.SelectMany(r => r.Keys).Distinct()], rows);
    }
}
