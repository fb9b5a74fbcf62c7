using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Trends;
using TrackerDcs.Web.History;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// The data browser: any recorded signal, overlaid on one chart. The address holds the view
/// (<c>/trends?signal=chiller.internal_temp&amp;signal=channels.hv_iMon[id=0]&amp;range=24h</c>, or from=…&amp;to=… in
/// UTC for a fixed range), so a view can be bookmarked and shared; each device page's chart opens here.
/// </summary>
public partial class TrendsPage
{
    [Inject] private SignalCatalogue Catalogue { get; set; } = default!;
    [Inject] private ITrendStore Store { get; set; } = default!;
    [Inject] private IJSRuntime Js { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "signal")] public string[]? SignalParameters { get; set; }
    [SupplyParameterFromQuery(Name = "range")] public string? RangeParameter { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? FromParameter { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? ToParameter { get; set; }

    private IReadOnlyList<SignalInfo> _catalogue = [];
    private List<string> _signals = [];
    private SignalInfo? _pick;
    private TimeSpan _range = TimeSpan.FromHours(24);
    private DateTimeOffset? _from;
    private DateTimeOffset? _to;
    private TrendRange? _shown;
    private string _chartKey = "";
    private string _store = "";

    protected override async Task OnInitializedAsync()
    {
        _store = Store.Kind == "influxdb" ? "from InfluxDB" : "from the embedded store";
        _catalogue = await Catalogue.ListAsync(CancellationToken.None);
    }

    /// <summary>A navigation to another view (a device page's "open in Trends", a shared address) starts a new chart.</summary>
    protected override void OnParametersSet()
    {
        _signals = [.. (SignalParameters ?? []).Select(s => SignalId.TryParse(s, out var id, out _) ? id.Key : null).OfType<string>().Distinct()];
        _range = TrendPresets.Find(RangeParameter) ?? TimeSpan.FromHours(24);
        (_from, _to) = (Time(FromParameter), Time(ToParameter));
        if (_from is null || _to is null || _to <= _from) (_from, _to) = (null, null);
        _shown = null;
        _chartKey = $"{RangeParameter}|{FromParameter}|{ToParameter}";
    }

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private string Label(string key) => _catalogue.FirstOrDefault(s => s.Signal == key) is { } s ? $"{s.Label}{(s.Unit == "" ? "" : $" [{s.Unit}]")}" : key;

    private Task<IEnumerable<SignalInfo>> SearchAsync(string? text, CancellationToken cancellationToken)
    {
        var words = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return Task.FromResult(_catalogue.Where(s => !_signals.Contains(s.Signal))
            .Where(s => words.All(w => $"{s.Label} {s.Group} {s.Signal}".Contains(w, StringComparison.OrdinalIgnoreCase))));
    }

    private async Task AddAsync(SignalInfo? signal)
    {
        if (signal is null || _signals.Contains(signal.Signal) || _signals.Count >= TrendQuery.MaxSignals) return;
        _signals = [.. _signals, signal.Signal];
        _pick = null;
        await KeepInAddressAsync();
    }

    private async Task RemoveAsync(string key)
    {
        _signals = [.. _signals.Where(s => s != key)];
        await KeepInAddressAsync();
    }

    private async Task RangeChangedAsync(TrendRange range)
    {
        _shown = range;
        await KeepInAddressAsync();
    }

    /// <summary>
    /// The view into the address without a navigation (the chart stays as it is): replaceState, so Back leaves the
    /// page instead of stepping through every zoom.
    /// </summary>
    private async Task KeepInAddressAsync()
    {
        var parts = _signals.Select(s => $"signal={Uri.EscapeDataString(s)}").ToList();
        if (_shown is { } shown)
            parts.Add(shown.Live && TrendPresets.NameOf(shown.Span) is { } name ? $"range={name}"
                : $"from={Uri.EscapeDataString(TrendChart.Iso(shown.From))}&to={Uri.EscapeDataString(TrendChart.Iso(shown.To))}");
        else if (_from is { } from && _to is { } to) parts.Add($"from={Uri.EscapeDataString(TrendChart.Iso(from))}&to={Uri.EscapeDataString(TrendChart.Iso(to))}");
        else parts.Add($"range={TrendPresets.NameOf(_range) ?? "24h"}");
        await Js.InvokeVoidAsync("history.replaceState", null, "", $"/trends?{string.Join('&', parts)}");
    }
}
