using System.Globalization;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// A procedure run's record as the panel shows it: its parameters, state and reason, each IV scan's curve and points, and
/// its steps and on_abort steps with their times and results. The stand's run page (with earlier scans to overlay) and the
/// site's (the record read from the stand through its uplink) both show it.
/// </summary>
public partial class ProcedureRunRecord
{
    [Parameter, EditorRequired] public ProcedureRunDocument Document { get; set; } = default!;

    /// <summary>Earlier curves drawn under the first scan's, dashed.</summary>
    [Parameter] public IReadOnlyList<IvOverlay> Overlays { get; set; } = [];

    /// <summary>Under the first scan's chart: what chooses the overlays (the stand's page offers its earlier runs).</summary>
    [Parameter] public RenderFragment? OverlayChooser { get; set; }

    private IReadOnlyList<IvScanResult> Scans { get; set; } = [];

    protected override void OnParametersSet() => Scans = IvScanResult.Of(Document);

    private static string Text(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "—";
}
