using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Procedures;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// A stand's procedure and calibration runs at the site (/site/&lt;stand&gt;/runs): its own records, asked for through its
/// uplink (procedures/cmd/runs and ph2acf/cmd/runs, reads any user of the site may make), when the page opens and on
/// Refresh. A stand that does not answer is said so, list by list.
/// </summary>
public partial class SiteStandRuns
{
    private const int Limit = 50;

    [Parameter] public string Name { get; set; } = "";

    [Inject] private SiteCommander Commander { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    private bool Loading { get; set; }
    private DateTimeOffset? ReadAt { get; set; }
    private List<ProcedureRunSummary>? Procedures { get; set; }
    private List<RunSummary>? Calibrations { get; set; }
    private string? ProceduresProblem { get; set; }
    private string? CalibrationsProblem { get; set; }

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        Loading = true;
        var user = (await Session.UserAsync()).Name;
        var payload = $$"""{"limit":{{Limit}}}""";
        var procedures = Commander.ReadAsync<List<ProcedureRunSummary>>(Name, "procedures/cmd/runs", payload, user, "procedure runs", Runs);
        var calibrations = Commander.ReadAsync<List<RunSummary>>(Name, "ph2acf/cmd/runs", payload, user, "calibration runs", Runs);
        (Procedures, ProceduresProblem) = await procedures;
        (Calibrations, CalibrationsProblem) = await calibrations;
        // A stand that answers without a list has none.
        if (ProceduresProblem is null) Procedures ??= [];
        if (CalibrationsProblem is null) Calibrations ??= [];
        ReadAt = Time.GetUtcNow();
        Loading = false;
    }

    private static JsonNode? Runs(JsonNode? data) => data?["runs"];

    private static string Wire(object state) => JsonSerializer.Serialize(state).Trim('"');

    private static string Took(long startMs, long? endMs) => endMs is { } end ? PanelClock.Duration((end - startMs) / 1000.0) : "going";
}
