using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>An earlier scan drawn behind a run's own curve, dashed: its label ("run 5") and its points.</summary>
public sealed record IvOverlay(string Label, IReadOnlyList<IvPoint> Points);

/// <summary>
/// An IV curve: the mean current against the set voltage, one line per channel, drawn by uPlot (iv-chart.js) in the
/// panel's colours; the current on a log scale when asked (a sensor's curve spans decades up to breakdown). Earlier
/// scans chosen on the page are overlaid, dashed. Drawn again whenever its points change: a scan that goes gains them.
/// </summary>
public partial class IvChart
{
    private ElementReference _host;
    private bool _log;
    private int? _chart;

    [Inject] private IJSRuntime Js { get; set; } = default!;

    [Parameter, EditorRequired] public IReadOnlyList<IvPoint> Points { get; set; } = [];

    [Parameter] public IReadOnlyList<IvOverlay> Overlays { get; set; } = [];

    /// <summary>What the script draws: the voltages of all the curves, and per channel (and overlay) its current at each (null where it has no point).</summary>
    internal static object Data(IReadOnlyList<IvPoint> points, IReadOnlyList<IvOverlay> overlays)
    {
        var volts = points.Concat(overlays.SelectMany(o => o.Points)).Select(p => p.VSet).Distinct().Order().ToList();
        var own = Series(points, "", volts, dash: false);
        return new { v = volts, series = own.Concat(overlays.SelectMany(o => Series(o.Points, $"{o.Label} ", volts, dash: true))).ToList() };
    }

    private static IEnumerable<object> Series(IReadOnlyList<IvPoint> points, string prefix, List<double> volts, bool dash) =>
        points.GroupBy(p => p.Channel).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var byVolts = g.GroupBy(p => p.VSet).ToDictionary(v => v.Key, v => v.Last().I);
            var module = g.First().Module;
            return (object)new
            {
                label = $"{prefix}{(module is null ? $"channel {g.Key}" : $"channel {g.Key} ({module})")}",
                i = volts.Select(v => byVolts.TryGetValue(v, out var i) ? i : (double?)null).ToList(),
                dash,
            };
        });

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        _chart = await Js.InvokeAsync<int>("TrackerDcsIv.create", _host, Data(Points, Overlays), _log);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsIv.update", id, Data(Points, Overlays), _log);
    }

    private async Task LogChangedAsync(bool log)
    {
        _log = log;
        if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsIv.update", id, Data(Points, Overlays), _log);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsIv.dispose", id);
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the page with it.
        }
        GC.SuppressFinalize(this);
    }
}
