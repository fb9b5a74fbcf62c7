namespace TrackerDcs.Web.Health;

public static class HealthEndpoints
{
    /// <summary>/healthz: the process answers. /readyz: every registered part is ready (503 with the report otherwise).</summary>
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (Readiness readiness) =>
        {
            var (ready, report) = readiness.Check();
            return Results.Content(report.ToJsonString(), "application/json", statusCode: ready ? 200 : 503);
        });
    }
}
