using System.Text.Json;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Hardware;
using TrackerDcs.Web.Common;
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
        var procedures = Commander.QueryAsync(Name, "procedures/cmd/runs", payload, user);
        var calibrations = Commander.QueryAsync(Name, "ph2acf/cmd/runs", payload, user);
        (Procedures, ProceduresProblem) = Read<ProcedureRunSummary>(await procedures, "procedure runs");
        (Calibrations, CalibrationsProblem) = Read<RunSummary>(await calibrations, "calibration runs");
        ReadAt = Time.GetUtcNow();
        Loading = false;
    }

    private (List<T>?, string?) Read<T>(CommandResult result, string what)
    {
        if (!result.Ok) return (null, $"The stand's {what} could not be read: {result.Error}");
        try
        {
            return (result.Data?["runs"]?.Deserialize<List<T>>(Json.Options) ?? [], null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, $"The stand's {what} came in a form this site does not read: {e.Message}");
        }
    }

    private static string Wire(object state) => JsonSerializer.Serialize(state).Trim('"');

    private static string Took(long startMs, long? endMs) => endMs is { } end ? PanelClock.Duration((end - startMs) / 1000.0) : "going";
}
