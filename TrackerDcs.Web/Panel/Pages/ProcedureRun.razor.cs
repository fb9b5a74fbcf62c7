using System.Globalization;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// One procedure run's record: its parameters, state and reason, its steps with their times and results, and for
/// each IV scan the curve (I against V per channel) and its points. Read again whenever procedures/status changes,
/// so a run that is going fills in as its steps end.
/// </summary>
public partial class ProcedureRun
{
    [Parameter] public long Run { get; set; }

    [Inject] private ProcedureRunStore Store { get; set; } = default!;

    private ProcedureRunDocument? Document { get; set; }
    private IReadOnlyList<IvScanResult> Scans { get; set; } = [];

    protected override PanelTopic Topics => PanelTopic.Procedures;

    protected override void OnParametersSet() => Load();

    protected override void Load()
    {
        Document = Store.Get(Run);
        Scans = Document is null ? [] : IvScanResult.Of(Document);
    }

    private static string Text(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "—";
}
