using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// The runs over HTTP, for the panel and scripts (viewers and up): the history, one run's document, its
/// conditions (the same query as ph2acf/cmd/conditions) and its result files, inline or from the blob store.
/// The GETs also accept the panel's login cookie (PanelSetup.SelectScheme), so the run page's links open.
/// </summary>
public static class RunEndpoints
{
    public static void MapRuns(this WebApplication app)
    {
        var group = app.MapGroup("/api/runs").RequireAuthorization(p => p.RequireRole(nameof(Role.Viewer), nameof(Role.Operator), nameof(Role.Admin)));
        group.MapGet("", async (RunController runs, int? limit, CancellationToken ct) =>
            limit is < 1 or > 10_000 ? Results.BadRequest(new { error = "'limit' must be 1–10000" })
                : Results.Ok(await runs.Store.ListAsync(limit ?? 100, ct)));
        group.MapGet("/{run:long}", async (RunController runs, long run, CancellationToken ct) =>
            await runs.Store.GetAsync(run, ct) is { } document ? Results.Ok(document) : Results.NotFound(new { error = $"no run {run}" }));
        group.MapGet("/{run:long}/conditions", async (RunController runs, long run, CancellationToken ct) =>
            await runs.ConditionsAsync(run, ct) is { Ok: true } result ? Results.Ok(result.Data) : Results.NotFound(new { error = $"no run {run}" }));
        group.MapGet("/{run:long}/results/{**name}", async (RunController runs, long run, string name, CancellationToken ct) =>
        {
            var result = (await runs.Store.GetAsync(run, ct))?.Results.FirstOrDefault(r => r.Name == name);
            var content = result?.ContentBase64 is { } inline ? Convert.FromBase64String(inline)
                : result?.BlobId is { } blob ? await runs.Store.GetBlobAsync(blob, ct)
                : null;
            if (content is null) return Results.NotFound(new { error = $"run {run} has no result '{name}'" });
            // A text result opens in the browser's tab (plain text: nosniff keeps it from being read as a page); any other is a download.
            return TextResults.Contains(Path.GetExtension(name)) ? Results.File(content, "text/plain; charset=utf-8")
                : Results.File(content, "application/octet-stream", Path.GetFileName(name));
        });
    }

    private static readonly HashSet<string> TextResults = new(StringComparer.OrdinalIgnoreCase) { ".txt", ".log", ".csv", ".json", ".xml", ".yml", ".yaml" };
}
