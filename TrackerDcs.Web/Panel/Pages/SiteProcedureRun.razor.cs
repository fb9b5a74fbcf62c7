using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Procedures;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// One procedure run of a stand at the site (/site/&lt;stand&gt;/procedures/&lt;run&gt;): its record as the stand's own run page
/// shows it (<see cref="ProcedureRunRecord"/>: parameters, IV curves and points, steps), asked for through the uplink
/// (procedures/cmd/run) when the page opens and on Refresh.
/// </summary>
public partial class SiteProcedureRun
{
    [Parameter] public string Name { get; set; } = "";
    [Parameter] public long Run { get; set; }

    [Inject] private SiteCommander Commander { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;

    private bool Loading { get; set; }
    private ProcedureRunDocument? Document { get; set; }
    private string? Problem { get; set; }

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        Loading = true;
        (Document, Problem) = await Commander.ReadAsync<ProcedureRunDocument>(Name, "procedures/cmd/run", $$"""{"run":{{Run}}}""",
            (await Session.UserAsync()).Name, $"record of procedure run {Run}", data => data);
        Loading = false;
    }
}
