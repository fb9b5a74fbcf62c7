using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Health;

public static class HealthEndpoints
{
    /// <summary>
    /// /healthz: the process answers. /readyz: every registered part is ready (503 otherwise). Without a login it
    /// says only that ("ready" or "unready"), which is all a load balancer or a container check needs; the report
    /// (which device is in which state, on which port) is for the stand's users (HTTP Basic or the panel's cookie).
    /// </summary>
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (HttpContext context, Readiness readiness) =>
        {
            var (ready, report) = readiness.Check();
            var status = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return RoleExtensions.PeopleRoles.Any(context.User.IsInRole)
                ? Results.Content(report.ToJsonString(), "application/json", statusCode: status)
                : Results.Text(ready ? "ready" : "unready", statusCode: status);
        });
    }
}
