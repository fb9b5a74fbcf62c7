using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// A procedure run's exports over HTTP, for the panel's links and scripts (viewers and up), shaped like the runs'
/// API: Basic credentials, or the panel's login cookie for a GET (PanelSetup.SelectScheme), so the links open.
/// </summary>
public static class ProcedureEndpoints
{
    public static void MapProcedureExports(this WebApplication app)
    {
        var group = app.MapGroup("/api/procedures/runs").RequireAuthorization(p => p.RequireRole(nameof(Role.Viewer), nameof(Role.Operator), nameof(Role.Admin)));
        group.MapGet("/{run:long}/export.json", (ProcedureRunStore store, long run) => Export(store, run, "json", "application/json", ProcedureExport.Json));
        group.MapGet("/{run:long}/export.csv", (ProcedureRunStore store, long run) => Export(store, run, "csv", "text/csv", ProcedureExport.Csv));
    }

    private static IResult Export(ProcedureRunStore store, long run, string extension, string type, Func<ProcedureRunDocument, string> format) =>
        store.Get(run) is { } document
            ? Results.File(System.Text.Encoding.UTF8.GetBytes(format(document)), $"{type}; charset=utf-8", $"procedure-run-{run}.{extension}")
            : Results.NotFound(new { error = $"no procedure run {run}" });
}
