using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// One procedure run's record (<see cref="ProcedureRunRecord"/>): its parameters, state and reason, its steps with their
/// times and results, and for each IV scan the curve (I against V per channel) and its points, with earlier scans of the
/// same modules or channels overlaid on demand. Read again whenever procedures/status changes (every second while a run goes), so a scan's
/// curve gains its points as they are measured and the run fills in as its steps end.
/// </summary>
public partial class ProcedureRun
{
    /// <summary>How far back earlier scans are offered for overlay: the latest runs, as the history lists them.</summary>
    private const int EarlierRuns = 50;
    private readonly HashSet<long> _overlaid = [];

    [Parameter] public long Run { get; set; }

    [Inject] private IProcedureRunStore Store { get; set; } = default!;

    private ProcedureRunDocument? Document { get; set; }
    private IReadOnlyList<(long Run, long StartMs, IReadOnlyList<IvPoint> Points)> Earlier { get; set; } = [];

    private IReadOnlyList<IvOverlay> Overlays =>
        [.. Earlier.Where(e => _overlaid.Contains(e.Run)).Select(e => new IvOverlay($"run {e.Run}", e.Points))];

    protected override PanelTopic Topics => PanelTopic.Procedures;

    protected override void OnParametersSet()
    {
        _overlaid.Clear();
        Load();
    }

    protected override void Load()
    {
        Document = Store.Get(Run);
        Earlier = Document is null ? [] : EarlierScans(Document, IvScanResult.Of(Document));
    }

    /// <summary>
    /// The finished scans of earlier runs that measured one of this run's modules or scanned channels, each run's points of
    /// those only (a scan of every module overlays only what compares).
    /// </summary>
    private List<(long, long, IReadOnlyList<IvPoint>)> EarlierScans(ProcedureRunDocument run, IReadOnlyList<IvScanResult> scans)
    {
        var modules = run.Modules.ToHashSet();
        var channels = scans.SelectMany(s => s.Points).Select(p => p.Channel).ToHashSet();
        bool Same(IvPoint p) => p.Module is { } m && modules.Contains(m) || channels.Contains(p.Channel);
        return [.. Store.List(EarlierRuns).Where(r => r.Run < run.Run)
            .Select(r => (r.Run, r.StartMs, Points: (IReadOnlyList<IvPoint>)IvScanResult.Of(r).Where(s => !s.Going).SelectMany(s => s.Points).Where(Same).ToList()))
            .Where(r => r.Points.Count > 0)];
    }

    private void Overlay(long run, bool on)
    {
        if (on) _overlaid.Add(run);
        else _overlaid.Remove(run);
    }
}
