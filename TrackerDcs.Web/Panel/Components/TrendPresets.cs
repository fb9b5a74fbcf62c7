namespace TrackerDcs.Web.Panel.Components;

/// <summary>The ranges a trend chart offers at one click, by the names the Trends page's URL uses (<c>range=24h</c>).</summary>
public static class TrendPresets
{
    public static readonly IReadOnlyList<(string Name, string Label, TimeSpan Span)> All =
    [
        ("15m", "15 min", TimeSpan.FromMinutes(15)),
        ("1h", "1 h", TimeSpan.FromHours(1)),
        ("6h", "6 h", TimeSpan.FromHours(6)),
        ("24h", "24 h", TimeSpan.FromHours(24)),
        ("7d", "7 d", TimeSpan.FromDays(7)),
        ("30d", "30 d", TimeSpan.FromDays(30)),
    ];

    public static TimeSpan? Find(string? name) => All.FirstOrDefault(p => p.Name == name) is { Name: not null } p ? p.Span : null;

    public static string? NameOf(TimeSpan span) => All.FirstOrDefault(p => p.Span == span).Name;
}

/// <summary>A chart's range as it changed (zoom, pan, preset, live follow), for the page that keeps it in its URL.</summary>
public sealed record TrendRange(DateTimeOffset From, DateTimeOffset To, bool Live, TimeSpan Span);
