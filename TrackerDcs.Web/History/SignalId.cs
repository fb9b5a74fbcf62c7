using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace TrackerDcs.Web.History;

/// <summary>
/// One recorded signal: a numeric field of one series (measurement and tags, as InfluxDB keys them). Written
/// <c>measurement.field</c> or <c>measurement.field[tag=value,tag=value]</c> (tags sorted), the form the Trends
/// page keeps in its URL, e.g. <c>channels.hv_iMon[id=0,module=module_0]</c> or <c>chiller.internal_temp</c>.
/// </summary>
public sealed class SignalId : IEquatable<SignalId>
{
    public SignalId(string measurement, string field, IEnumerable<KeyValuePair<string, string>>? tags = null)
    {
        Measurement = measurement;
        Field = field;
        Tags = [.. (tags ?? []).OrderBy(t => t.Key, StringComparer.Ordinal)];
        Key = Format();
    }

    public string Measurement { get; }
    public string Field { get; }
    /// <summary>Sorted by name, as the time-series points keep them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; }
    public string Key { get; }

    /// <summary>The tags as the embedded store keys a series: tag=value,tag=value.</summary>
    public string SeriesKey => string.Join(',', Tags.Select(t => $"{t.Key}={t.Value}"));

    public string? Tag(string name) => Tags.FirstOrDefault(t => t.Key == name).Value;

    /// <summary>Reads the URL form; the error names what is wrong.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out SignalId? signal, [NotNullWhen(false)] out string? error)
    {
        signal = null;
        var open = text.IndexOf('[');
        var head = open < 0 ? text : text[..open];
        var dot = head.IndexOf('.');
        if (dot <= 0 || dot == head.Length - 1)
        {
            error = $"signal '{text}' is not measurement.field or measurement.field[tag=value,…]";
            return false;
        }
        var tags = new List<KeyValuePair<string, string>>();
        if (open >= 0)
        {
            if (!text.EndsWith(']'))
            {
                error = $"signal '{text}': the tag list does not end with ']'";
                return false;
            }
            foreach (var pair in text[(open + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                if (eq <= 0)
                {
                    error = $"signal '{text}': tag '{pair}' is not name=value";
                    return false;
                }
                tags.Add(new(pair[..eq], pair[(eq + 1)..]));
            }
        }
        signal = new SignalId(head[..dot], head[(dot + 1)..], tags);
        error = null;
        return true;
    }

    private string Format()
    {
        var text = new StringBuilder($"{Measurement}.{Field}");
        if (Tags.Count > 0) text.Append('[').AppendJoin(',', Tags.Select(t => $"{t.Key}={t.Value}")).Append(']');
        return text.ToString();
    }

    public bool Equals(SignalId? other) => other is not null && other.Key == Key;
    public override bool Equals(object? obj) => obj is SignalId other && Equals(other);
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
    public override string ToString() => Key;
}
