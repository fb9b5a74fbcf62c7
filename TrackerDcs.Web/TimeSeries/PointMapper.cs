using TrackerDcs.Web.Sensors;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MQTTnet;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// MQTT messages to points by the mapping rules; no I/O. Payloads it cannot use produce a problem (a
/// sentence for the log) and no point, or a point without the offending field, never an exception.
/// Not thread-safe: the writer's loop is its only caller, apart from <see cref="Matches"/>.
/// </summary>
public sealed class PointMapper(IReadOnlyList<MappingRule> rules)
{
    private sealed class Pending(long windowStart, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        public long WindowStart { get; } = windowStart;
        public IReadOnlyList<KeyValuePair<string, string>> Tags { get; } = tags;
        public Dictionary<string, object> Fields { get; } = [];
    }

    private readonly Dictionary<(int Rule, string Series), Pending> _pending = [];

    /// <summary>Whether any rule takes this topic; safe from any thread (the broker's, before copying a payload).</summary>
    public bool Matches(string topic)
    {
        foreach (var rule in rules)
            if (MqttTopicFilterComparer.Compare(topic, rule.Topic) == MqttTopicFilterCompareResult.IsMatch) return true;
        return false;
    }

    public void Map(string topic, ReadOnlySpan<byte> payload, long timeMs, List<TimePoint> output, List<string> problems)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (MqttTopicFilterComparer.Compare(topic, rule.Topic) != MqttTopicFilterCompareResult.IsMatch) continue;
            var levels = topic.Split('/');
            var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (tag, level) in rule.TopicTags)
                if (Level(levels, level) is { } value) tags[tag] = value;
            var fields = new List<KeyValuePair<string, object>>();
            var ok = rule.Format == PayloadFormat.Number
                ? ReadNumber(rule, levels, payload, fields, problems)
                : ReadJson(rule, payload, tags, fields, problems);
            if (!ok) continue;
            if (fields.Count == 0)
            {
                problems.Add($"no usable field for {rule.Measurement}");
                continue;
            }
            if (rule.MergeWindow > TimeSpan.Zero) Merge(i, rule, tags.ToList(), fields, timeMs, output);
            else output.Add(Complete(rule, tags.ToList(), fields, timeMs));
        }
    }

    /// <summary>Points of merge windows that have ended by <paramref name="nowMs"/>.</summary>
    public void Expire(long nowMs, List<TimePoint> output)
    {
        foreach (var (key, pending) in _pending.ToList())
        {
            var rule = rules[key.Rule];
            if (pending.WindowStart + (long)rule.MergeWindow.TotalMilliseconds > nowMs) continue;
            _pending.Remove(key);
            output.Add(Complete(rule, pending.Tags, pending.Fields.ToList(), pending.WindowStart));
        }
    }

    /// <summary>Every open merge window, at shutdown.</summary>
    public void FlushAll(List<TimePoint> output) => Expire(long.MaxValue, output);

    private void Merge(int index, MappingRule rule, IReadOnlyList<KeyValuePair<string, string>> tags,
        List<KeyValuePair<string, object>> fields, long timeMs, List<TimePoint> output)
    {
        var window = (long)rule.MergeWindow.TotalMilliseconds;
        var start = timeMs - ((timeMs % window) + window) % window;
        var key = (index, string.Join(',', tags.Select(t => $"{t.Key}={t.Value}")));
        if (_pending.TryGetValue(key, out var pending) && pending.WindowStart != start)
        {
            // A message of a later window closes the earlier one at once.
            output.Add(Complete(rule, pending.Tags, pending.Fields.ToList(), pending.WindowStart));
            pending = null;
        }
        if (pending is null) _pending[key] = pending = new Pending(start, tags);
        // Within a window the latest value of a quantity wins, as Telegraf's merge aggregator does.
        foreach (var (name, value) in fields) pending.Fields[name] = value;
    }

    private static TimePoint Complete(MappingRule rule, IReadOnlyList<KeyValuePair<string, string>> tags,
        List<KeyValuePair<string, object>> fields, long timeMs)
    {
        if (rule.DewPoint is { } dew && fields.All(f => f.Key != dew.Field)
            && fields.FirstOrDefault(f => f.Key == dew.Temperature).Value is double t
            && fields.FirstOrDefault(f => f.Key == dew.Humidity).Value is double rh
            && DewPoint.Celsius(t, rh) is { } td)
            fields.Add(new(dew.Field, td));
        return new TimePoint(rule.Measurement, tags, fields, timeMs);
    }

    private static bool ReadNumber(MappingRule rule, string[] levels, ReadOnlySpan<byte> payload,
        List<KeyValuePair<string, object>> fields, List<string> problems)
    {
        var name = rule.FieldFromTopicLevels.Count == 0
            ? rule.Field
            : string.Join('_', rule.FieldFromTopicLevels.Select(l => Level(levels, l) ?? ""));
        var text = Encoding.UTF8.GetString(payload).Trim();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            problems.Add($"payload '{Shorten(text)}' is not a number");
            return false;
        }
        if (Convert(rule, name, value, problems) is { } converted) fields.Add(new(name, converted));
        return true;
    }

    private static bool ReadJson(MappingRule rule, ReadOnlySpan<byte> payload, SortedDictionary<string, string> tags,
        List<KeyValuePair<string, object>> fields, List<string> problems)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException e)
        {
            problems.Add($"payload is not JSON: {e.Message}");
            return false;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"payload is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object");
                return false;
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var (name, value) = (property.Name, property.Value);
                if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    problems.Add($"field '{name}' is nested JSON: dropped");
                    continue;
                }
                if (value.ValueKind == JsonValueKind.Null) continue;
                if (rule.TagKeys.Contains(name))
                {
                    tags[name] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                    continue;
                }
                if (rule.StringFields.Contains(name))
                {
                    if (value.ValueKind == JsonValueKind.String) fields.Add(new(name, value.GetString()!));
                    else problems.Add($"field '{name}' is a {Kind(value)}, not a string: dropped");
                    continue;
                }
                if (rule.BooleanFields.Contains(name))
                {
                    if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) fields.Add(new(name, value.GetBoolean()));
                    else problems.Add($"field '{name}' is a {Kind(value)}, not a boolean: dropped");
                    continue;
                }
                switch (value.ValueKind)
                {
                    case JsonValueKind.Number:
                        if (Convert(rule, name, value.GetDouble(), problems) is { } converted) fields.Add(new(name, converted));
                        break;
                    case JsonValueKind.String when rule.IgnoredFields.Contains(name):
                        break;
                    case JsonValueKind.String:
                        // Telegraf ignored strings silently; here a numeric field that turns into text is worth a line.
                        problems.Add($"field '{name}' is a string ('{Shorten(value.GetString()!)}'), not a number: dropped");
                        break;
                    // Booleans not named as such are ignored, as Telegraf's json parser did (julabo's ext_is_used).
                }
            }
        }
        return true;
    }

    private static object? Convert(MappingRule rule, string name, double value, List<string> problems)
    {
        if (rule.IntegerFields.Contains(name))
        {
            if (value is >= long.MinValue and < 9.2233720368547758E18) return (long)Math.Round(value);
            problems.Add($"field '{name}' = {value} does not fit an integer: dropped");
            return null;
        }
        if (rule.UnsignedFields.Contains(name))
        {
            if (value is >= 0 and < 1.8446744073709552E19) return (ulong)Math.Round(value);
            problems.Add($"field '{name}' = {value} does not fit an unsigned integer: dropped");
            return null;
        }
        return value;
    }

    private static string? Level(string[] levels, int level)
    {
        var index = level < 0 ? levels.Length + level : level;
        return index >= 0 && index < levels.Length ? levels[index] : null;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        _ => "boolean",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
