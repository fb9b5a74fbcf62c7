using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// An IV curve: the mean current against the set voltage, one line per channel, drawn by uPlot (iv-chart.js) in the
/// panel's colours; the current on a log scale when asked (a sensor's curve spans decades up to breakdown).
/// </summary>
public partial class IvChart
{
    private ElementReference _host;
    private bool _log;
    private int? _chart;

    [Inject] private IJSRuntime Js { get; set; } = default!;

    [Parameter, EditorRequired] public IReadOnlyList<IvPoint> Points { get; set; } = [];

    /// <summary>What the script draws: the voltages, and per channel its current at each (null where it has no point).</summary>
    internal static object Data(IReadOnlyList<IvPoint> points)
    {
        var volts = points.Select(p => p.VSet).Distinct().Order().ToList();
        var series = points.GroupBy(p => p.Channel).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var byVolts = g.GroupBy(p => p.VSet).ToDictionary(v => v.Key, v => v.Last().I);
            var module = g.First().Module;
            return new
            {
                label = module is null ? $"channel {g.Key}" : $"channel {g.Key} ({module})",
                i = volts.Select(v => byVolts.TryGetValue(v, out var i) ? i : (double?)null).ToList(),
            };
        }).ToList();
        return new { v = volts, series };
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        _chart = await Js.InvokeAsync<int>("TrackerDcsIv.create", _host, Data(Points), _log);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsIv.update", id, Data(Points), _log);
    }

    private async Task LogChangedAsync(bool log)
    {
        _log = log;
        if (_chart is { } id) await Js.InvokeVoidAsync("TrackerDcsIv.update", id, Data(Points), _log);
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
