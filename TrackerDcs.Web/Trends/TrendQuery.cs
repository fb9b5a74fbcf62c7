using System.Globalization;
using TrackerDcs.Web.History;

namespace TrackerDcs.Web.Trends;

/// <summary>One chart's request: its signals, range and width in pixels, read from the query string with errors that name what is wrong.</summary>
public sealed record TrendQuery(IReadOnlyList<SignalId> Signals, DateTimeOffset From, DateTimeOffset To, int Width)
{
    public const int MaxSignals = 16;
    public const int MaxWidth = 8192;
    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(5 * 366);

    public static bool TryParse(IQueryCollection query, out TrendQuery? result, out string? error)
    {
        result = null;
        var signals = new List<SignalId>();
        foreach (var text in query["signal"])
        {
            if (!SignalId.TryParse(text ?? "", out var signal, out error)) return false;
            signals.Add(signal);
        }
        error = signals.Count switch
        {
            0 => "no signal: give one or more as ?signal=measurement.field[tag=value]",
            > MaxSignals => $"{signals.Count} signals: at most {MaxSignals} per chart",
            _ => null,
        };
        if (error is not null) return false;
        if (!TryTime(query, "from", out var from, out error) || !TryTime(query, "to", out var to, out error)) return false;
        if (to <= from || to - from > MaxRange)
        {
            error = $"the range {from:O} … {to:O} must be positive and at most {MaxRange.TotalDays:0} days";
            return false;
        }
        var width = 1000;
        if (query["width"].FirstOrDefault() is { } w && (!int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out width) || width is < 1 or > MaxWidth))
        {
            error = $"width '{w}' is not a number of pixels from 1 to {MaxWidth}";
            return false;
        }
        result = new TrendQuery([.. signals.Distinct()], from, to, width);
        return true;
    }

    /// <summary>Milliseconds since the Unix epoch (what the chart sends) or an ISO 8601 time.</summary>
    private static bool TryTime(IQueryCollection query, string name, out DateTimeOffset time, out string? error)
    {
        var text = query[name].FirstOrDefault();
        error = null;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms) && ms is > -62135596800000 and < 253402300799999)
            time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        else if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time))
            error = $"{name} '{text}' is neither milliseconds since 1970 nor an ISO 8601 time";
        return error is null;
    }
}
