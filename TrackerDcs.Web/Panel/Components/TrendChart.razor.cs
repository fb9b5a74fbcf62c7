using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using TrackerDcs.Web.History;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// The panel's trend chart (uPlot, wwwroot/trends/trend-chart.js): several signals, two value axes by unit, zoom by
/// dragging, pan, double-click reset, presets and live follow, a read-out of every series at the cursor, alarm and
/// run annotations, and the CSV of what is shown. The script fetches the decimated data itself from
/// /panel-api/trends; this component holds the toolbar and hears of range changes.
/// </summary>
public partial class TrendChart
{
    [Inject] private IJSRuntime Js { get; set; } = default!;

    /// <summary>Signal keys (<see cref="History.SignalId"/>'s URL form).</summary>
    [Parameter, EditorRequired] public IReadOnlyList<string> Signals { get; set; } = [];
    [Parameter] public string? Title { get; set; }
    /// <summary>The span followed live at first; ignored when <see cref="From"/> and <see cref="To"/> are given.</summary>
    [Parameter] public TimeSpan Range { get; set; } = TimeSpan.FromHours(24);
    [Parameter] public DateTimeOffset? From { get; set; }
    [Parameter] public DateTimeOffset? To { get; set; }
    [Parameter] public int Height { get; set; } = 240;
    /// <summary>Shows the button that opens these signals on the Trends page.</summary>
    [Parameter] public bool ShowOpen { get; set; } = true;
    [Parameter] public EventCallback<TrendRange> RangeChanged { get; set; }

    private ElementReference _host;
    private DotNetObjectReference<TrendChart>? _self;
    private int? _chart;
    private IReadOnlyList<string> _shown = [];
    private bool _live = true;
    private TimeSpan _span;
    private DateTimeOffset _from;
    private DateTimeOffset _to;
    private bool _showCustom;
    private DateTime _customFrom;
    private DateTime _customTo;
    private string _info = "";

    private string AriaLabel => $"Trend of {string.Join(", ", Signals)}";

    private string RangeText =>
        _to == default ? "" : $"{Clock.Cell(_from)} → {Clock.Cell(_to)} {Clock.ZoneName}{(_live ? " (live)" : "")}{_info}";

    private string TrendsUrl
    {
        get
        {
            var query = string.Join('&', Signals.Select(s => $"signal={Uri.EscapeDataString(s)}"));
            var range = _live && TrendPresets.NameOf(_span) is { } name
                ? $"range={name}"
                : $"from={Uri.EscapeDataString(Iso(_from))}&to={Uri.EscapeDataString(Iso(_to))}";
            return $"/trends?{query}&{range}";
        }
    }

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    protected override void OnInitialized()
    {
        _span = From is { } f && To is { } t ? t - f : Range;
        _live = From is null || To is null;
        (_from, _to) = _live ? (DateTimeOffset.UtcNow - _span, DateTimeOffset.UtcNow) : (From!.Value, To!.Value);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_chart is { } id && !_shown.SequenceEqual(Signals))
        {
            _shown = [.. Signals];
            await Js.InvokeVoidAsync("TrackerDcsTrends.setSignals", id, _shown);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        _self = DotNetObjectReference.Create(this);
        _shown = [.. Signals];
        _chart = await Js.InvokeAsync<int>("TrackerDcsTrends.create", _host, _self, new
        {
            signals = _shown,
            live = _live,
            span = (long)_span.TotalMilliseconds,
            from = _live ? (long?)null : _from.ToUnixTimeMilliseconds(),
            to = _live ? (long?)null : _to.ToUnixTimeMilliseconds(),
            height = Height,
        });
    }

    [JSInvokable]
    public async Task OnRangeChanged(long from, long to, bool live, long span)
    {
        (_from, _to, _live, _span) = (DateTimeOffset.FromUnixTimeMilliseconds(from), DateTimeOffset.FromUnixTimeMilliseconds(to), live, TimeSpan.FromMilliseconds(span));
        await RangeChanged.InvokeAsync(new TrendRange(_from, _to, _live, _span));
        StateHasChanged();
    }

    [JSInvokable]
    public void OnLoaded(long from, long to, bool live, int points, bool decimated, string errors)
    {
        (_from, _to, _live) = (DateTimeOffset.FromUnixTimeMilliseconds(from), DateTimeOffset.FromUnixTimeMilliseconds(to), live);
        _info = points == 0 ? "" : decimated ? $" · {points} points, min/max per pixel" : $" · {points} points, every reading";
        StateHasChanged();
    }

    private async Task PresetAsync(TimeSpan span)
    {
        if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsTrends.setPreset", id, (long)span.TotalMilliseconds, true);
    }

    private async Task ToggleLiveAsync()
    {
        if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsTrends.setLive", id, !_live);
    }

    private async Task PanAsync(double fraction)
    {
        if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsTrends.pan", id, fraction);
    }

    private async Task ResetAsync()
    {
        if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsTrends.reset", id);
    }

    private async Task DownloadAsync()
    {
        var name = $"trend-{_from.UtcDateTime:yyyyMMdd'T'HHmmss}-{_to.UtcDateTime:yyyyMMdd'T'HHmmss}.csv";
        if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsTrends.downloadCsv", id, name);
    }

    private async Task ToggleCustom()
    {
        _showCustom = !_showCustom;
        if (!_showCustom || _chart is not { } id) return;
        // In the browser's local time (the server's is another matter).
        var local = await Js.InvokeAsync<string[]>("TrackerDcsTrends.localRange", id);
        (_customFrom, _customTo) = (DateTime.Parse(local[0], CultureInfo.InvariantCulture), DateTime.Parse(local[1], CultureInfo.InvariantCulture));
    }

    private async Task ApplyCustomAsync()
    {
        // The inputs are in the browser's local time: the script converts.
        if (_chart is { } id && _customTo > _customFrom)
            await Js.InvokeVoidAsync("TrackerDcsTrends.setLocalRange", id,
                _customFrom.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), _customTo.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        _showCustom = false;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsTrends.dispose", id);
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the page with it.
        }
        _self?.Dispose();
    }
}
