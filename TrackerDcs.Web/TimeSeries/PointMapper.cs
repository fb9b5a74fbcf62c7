using TrackerDcs.Hardware.Sensors;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MQTTnet;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// MQTT messages to points by the mapping rules; no I/O. Payloads it cannot use produce a problem (a
/// sentence for the log) and no point, or a point without the offending field, never an exception.
/// Not thread-safe: the writer's loop is its only caller, apart from <see cref="Matches"/>.
/// Per message it reads the JSON once with <see cref="Utf8JsonReader"/>, looks each key up once, and reuses the
/// strings of keys and tag values it has seen: at the bench's rates the DOM, the rule lists searched per key and
/// a string per key cost more than InfluxDB's own work on the point (docs/performance.md).
/// </summary>
public sealed class PointMapper(IReadOnlyList<MappingRule> rules)
{
    /// <summary>What a rule says about a JSON key; a key may be in several lists, checked in the order of <see cref="ReadJson"/>.</summary>
    [Flags]
    internal enum KeyKind { None = 0, Tag = 1, String = 2, Boolean = 4, Integer = 8, Unsigned = 16, Ignored = 32 }

    // Bounds of the caches below: a stand has a few dozen topics and a few hundred keys and tag values; a client
    // publishing ever new names must not grow the process without end, so beyond these the mapper just allocates.
    private const int MaxCachedTopics = 4096;
    private const int MaxInternedStrings = 16384;

    /// <summary>A JSON key as a rule sees it: the string made for it once, and what the rule does with it.</summary>
    internal readonly record struct Key(string Name, KeyKind Kind);

    // Per rule: every key seen so far (the rule's own lists from the start), looked up straight from the payload's bytes.
    private readonly Dictionary<string, Key>[] _keys = rules.Select(KeysOf).ToArray();
    // Per rule: the direct path to line protocol, for JSON rules without merge window, dew point or topic tags.
    private readonly DirectLines?[] _direct = rules.Select(DirectLines.For).ToArray();
    private readonly List<TimePoint> _general = [];
    private readonly ConcurrentDictionary<string, int[]> _rulesByTopic = new();
    private readonly Dictionary<string, string> _strings = [];
    private Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Strings => _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    private sealed class Pending(long windowStart, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        public long WindowStart { get; } = windowStart;
        public IReadOnlyList<KeyValuePair<string, string>> Tags { get; } = tags;
        public Dictionary<string, object> Fields { get; } = [];
    }

    private readonly Dictionary<(int Rule, string Series), Pending> _pending = [];

    /// <summary>Whether any rule takes this topic; safe from any thread (the broker's, before copying a payload).</summary>
    public bool Matches(string topic) => RulesFor(topic).Length > 0;

    /// <summary>Indexes of the rules whose filter takes the topic, remembered per topic.</summary>
    /// <remarks>Called for every publish: the lookup of a known topic allocates nothing (the query's closure is in <see cref="Match"/>).</remarks>
    private int[] RulesFor(string topic)
    {
        if (_rulesByTopic.TryGetValue(topic, out var cached)) return cached;
        var matching = Match(topic);
        if (_rulesByTopic.Count < MaxCachedTopics) _rulesByTopic.TryAdd(topic, matching);
        return matching;
    }

    private int[] Match(string topic) =>
        Enumerable.Range(0, rules.Count)
            .Where(i => MqttTopicFilterComparer.Compare(topic, rules[i].Topic) == MqttTopicFilterCompareResult.IsMatch).ToArray();

    internal static Dictionary<string, Key> KeysOf(MappingRule rule)
    {
        var keys = new Dictionary<string, Key>(StringComparer.Ordinal);
        void Mark(IEnumerable<string> names, KeyKind kind)
        {
            foreach (var name in names) keys[name] = new Key(name, keys.GetValueOrDefault(name).Kind | kind);
        }
        Mark(rule.TagKeys, KeyKind.Tag);
        Mark(rule.StringFields, KeyKind.String);
        Mark(rule.BooleanFields, KeyKind.Boolean);
        Mark(rule.IntegerFields, KeyKind.Integer);
        Mark(rule.UnsignedFields, KeyKind.Unsigned);
        Mark(rule.IgnoredFields, KeyKind.Ignored);
        return keys;
    }

    public void Map(string topic, ReadOnlySpan<byte> payload, long timeMs, List<TimePoint> output, List<string> problems)
    {
        foreach (var i in RulesFor(topic)) MapRule(i, topic, payload, timeMs, output, problems);
    }

    /// <summary>
    /// As <see cref="Map(string, ReadOnlySpan{byte}, long, List{TimePoint}, List{string})"/>, for a store that takes the
    /// v1 encoder's line protocol: a rule with a direct path (<see cref="DirectLines"/>) writes its line straight into
    /// <paramref name="lines"/>; the points of the other rules (and of payloads the direct path does not take as they
    /// are) go through <paramref name="append"/> into the same batch at once, so the lines keep the rules' order.
    /// </summary>
    public void Map(string topic, ReadOnlySpan<byte> payload, long timeMs, LineBatch lines, Action<LineBatch, TimePoint> append, List<string> problems)
    {
        foreach (var i in RulesFor(topic))
        {
            if (_direct[i] is { } direct && direct.TryWrite(payload, timeMs, lines)) continue;
            MapRule(i, topic, payload, timeMs, _general, problems);
            foreach (var point in _general) append(lines, point);
            _general.Clear();
        }
    }

    private void MapRule(int i, string topic, ReadOnlySpan<byte> payload, long timeMs, List<TimePoint> output, List<string> problems)
    {
        var rule = rules[i];
        var levels = rule.TopicTags.Count > 0 || rule.Format == PayloadFormat.Number ? topic.Split('/') : [];
        var tags = new List<KeyValuePair<string, string>>(rule.TopicTags.Count + rule.TagKeys.Count);
        foreach (var (tag, level) in rule.TopicTags)
            if (Level(levels, level) is { } value) SetTag(tags, tag, value);
        var fields = new List<KeyValuePair<string, object>>();
        var ok = rule.Format == PayloadFormat.Number
            ? ReadNumber(rule, _keys[i], levels, payload, fields, problems)
            : ReadJson(i, payload, tags, fields, problems);
        if (!ok) return;
        if (fields.Count == 0)
        {
            problems.Add($"no usable field for {rule.Measurement}");
            return;
        }
        if (rule.MergeWindow > TimeSpan.Zero) Merge(i, rule, tags, fields, timeMs, output);
        else output.Add(Complete(rule, tags, fields, timeMs));
    }

    /// <summary>Tags stay sorted by key (InfluxDB's series key); a later value for a key replaces the earlier.</summary>
    private static void SetTag(List<KeyValuePair<string, string>> tags, string key, string value)
    {
        var at = 0;
        while (at < tags.Count && string.CompareOrdinal(tags[at].Key, key) < 0) at++;
        if (at < tags.Count && tags[at].Key == key) tags[at] = new(key, value);
        else tags.Insert(at, new(key, value));
    }

    /// <summary>A key that appears twice in one payload keeps its last value, as PointData does.</summary>
    private static void SetField(List<KeyValuePair<string, object>> fields, string key, object value)
    {
        for (var i = 0; i < fields.Count; i++)
            if (fields[i].Key == key)
            {
                fields[i] = new(key, value);
                return;
            }
        fields.Add(new(key, value));
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
        // A box's window opens with its first message, not on a whole second: a box sends its readings in one burst,
        // and a burst straddling a second boundary would otherwise become two points, neither with a dew point.
        var window = (long)rule.MergeWindow.TotalMilliseconds;
        var key = (index, string.Join(',', tags.Select(t => $"{t.Key}={t.Value}")));
        if (_pending.TryGetValue(key, out var pending) && timeMs >= pending.WindowStart + window)
        {
            // A message after the window closes it at once and opens the next.
            output.Add(Complete(rule, pending.Tags, pending.Fields.ToList(), pending.WindowStart));
            pending = null;
        }
        if (pending is null) _pending[key] = pending = new Pending(timeMs, tags);
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

    private static bool ReadNumber(MappingRule rule, Dictionary<string, Key> keys, string[] levels, ReadOnlySpan<byte> payload,
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
        if (Convert(keys.GetValueOrDefault(name).Kind, name, value, problems) is { } converted) fields.Add(new(name, converted));
        return true;
    }

    private bool ReadJson(int ruleIndex, ReadOnlySpan<byte> payload, List<KeyValuePair<string, string>> tags,
        List<KeyValuePair<string, object>> fields, List<string> problems)
    {
        var (rule, keys) = (rules[ruleIndex], _keys[ruleIndex]);
        var reader = new Utf8JsonReader(payload);
        try
        {
            if (!reader.Read()) throw new JsonException("the payload is empty");
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var root = reader.TokenType;
                reader.Skip();
                while (reader.Read()) { } // a malformed payload is "not JSON" first, as JsonDocument said
                problems.Add($"payload is a JSON {Kind(root)}, not an object");
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var (name, kind) = KeyOf(ref reader, keys);
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (!kind.HasFlag(KeyKind.Ignored)) problems.Add($"field '{name}' is nested JSON: dropped");
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType == JsonTokenType.Null) continue;
                if (kind.HasFlag(KeyKind.Tag))
                {
                    SetTag(tags, name, reader.TokenType == JsonTokenType.String ? Intern(ref reader) : InternRaw(reader.ValueSpan));
                    continue;
                }
                if (kind.HasFlag(KeyKind.String))
                {
                    if (reader.TokenType == JsonTokenType.String) SetField(fields, name, reader.GetString()!);
                    else problems.Add($"field '{name}' is a {Kind(reader.TokenType)}, not a string: dropped");
                    continue;
                }
                if (kind.HasFlag(KeyKind.Boolean))
                {
                    if (reader.TokenType is JsonTokenType.True or JsonTokenType.False) SetField(fields, name, reader.GetBoolean());
                    else problems.Add($"field '{name}' is a {Kind(reader.TokenType)}, not a boolean: dropped");
                    continue;
                }
                switch (reader.TokenType)
                {
                    case JsonTokenType.Number:
                        if (!reader.TryGetDouble(out var number) || !double.IsFinite(number))
                            problems.Add($"field '{name}' = {Encoding.UTF8.GetString(reader.ValueSpan)} is not a finite number: dropped");
                        else if (Convert(kind, name, number, problems) is { } converted) SetField(fields, name, converted);
                        break;
                    case JsonTokenType.String when kind.HasFlag(KeyKind.Ignored):
                        break;
                    case JsonTokenType.String:
                        // Telegraf ignored strings silently; here a numeric field that turns into text is worth a line.
                        problems.Add($"field '{name}' is a string ('{Shorten(reader.GetString()!)}'), not a number: dropped");
                        break;
                    // Booleans not named as such are ignored, as Telegraf's json parser did (julabo's ext_is_used).
                }
            }
            // The end of the object; anything after it is malformed.
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException e)
        {
            problems.Add($"payload is not JSON: {e.Message}");
            return false;
        }
    }

    /// <summary>The reader's property name as the rule knows it: one lookup gives its string and its kind.</summary>
    private static Key KeyOf(ref Utf8JsonReader reader, Dictionary<string, Key> keys)
    {
        if (reader.HasValueSequence || reader.ValueIsEscaped || reader.ValueSpan.Length > 128)
        {
            var escaped = reader.GetString()!;
            return keys.GetValueOrDefault(escaped, new Key(escaped, KeyKind.None));
        }
        Span<char> chars = stackalloc char[128];
        var text = chars[..Encoding.UTF8.GetChars(reader.ValueSpan, chars)];
        if (keys.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var known)) return known;
        var key = new Key(new string(text), KeyKind.None);
        if (keys.Count < MaxInternedStrings) keys[key.Name] = key;
        return key;
    }

    /// <summary>The reader's string value, as a string this mapper has made before when it can.</summary>
    private string Intern(ref Utf8JsonReader reader)
    {
        if (reader.HasValueSequence || reader.ValueIsEscaped || reader.ValueSpan.Length > 128) return reader.GetString()!;
        return InternRaw(reader.ValueSpan);
    }

    private string InternRaw(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 128) return Encoding.UTF8.GetString(utf8);
        Span<char> chars = stackalloc char[128];
        var text = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (Strings.TryGetValue(text, out var known)) return known;
        var made = new string(text);
        if (_strings.Count < MaxInternedStrings) _strings[made] = made;
        return made;
    }

    private static object? Convert(KeyKind kind, string name, double value, List<string> problems)
    {
        if (kind.HasFlag(KeyKind.Integer))
        {
            if (value is >= long.MinValue and < 9.2233720368547758E18) return (long)Math.Round(value);
            problems.Add($"field '{name}' = {value} does not fit an integer: dropped");
            return null;
        }
        if (kind.HasFlag(KeyKind.Unsigned))
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

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.StartArray => "array",
        JsonTokenType.Null => "null",
        _ => "boolean",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
