using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// Procedure runs over HTTP, for the panel's links and scripts (viewers and up), shaped like the runs' API: the
/// history, one run's record, and its exports. Basic credentials, or the panel's login cookie for a GET
/// (PanelSetup.SelectScheme), so the links open.
/// </summary>
public static class ProcedureEndpoints
{
    public static void MapProcedureRuns(this WebApplication app)
    {
        var group = app.MapGroup("/api/procedures/runs").RequireAuthorization(p => p.RequireRole(nameof(Role.Viewer), nameof(Role.Operator), nameof(Role.Admin)));
        group.MapGet("", (IProcedureRunStore store, int? limit) =>
            limit is < 1 or > 10_000 ? Results.BadRequest(new { error = "'limit' must be 1–10000" })
                : Results.Ok(store.List(limit ?? 100).Select(ProcedureRunSummary.Of)));
        group.MapGet("/{run:long}", (IProcedureRunStore store, long run) =>
            store.Get(run) is { } document ? Results.Ok(document) : Results.NotFound(new { error = $"no procedure run {run}" }));
        group.MapGet("/{run:long}/export.json", (IProcedureRunStore store, long run) => Export(store, run, "json", "application/json", ProcedureExport.Json));
        group.MapGet("/{run:long}/export.csv", (IProcedureRunStore store, long run) => Export(store, run, "csv", "text/csv", ProcedureExport.Csv));
    }

    private static IResult Export(IProcedureRunStore store, long run, string extension, string type, Func<ProcedureRunDocument, string> format) =>
        store.Get(run) is { } document
            ? Results.File(System.Text.Encoding.UTF8.GetBytes(format(document)), $"{type}; charset=utf-8", $"procedure-run-{run}.{extension}")
            : Results.NotFound(new { error = $"no procedure run {run}" });
}
