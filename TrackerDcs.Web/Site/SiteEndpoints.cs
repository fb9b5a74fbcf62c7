using System.Security.Claims;
using System.Text.Json;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Site;

/// <summary>The site instance's HTTP API: every stand as the site sees it, one stand in detail, and a site operator's command to a stand.</summary>
public static class SiteEndpoints
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static void MapSite(this WebApplication app)
    {
        app.MapGet("/api/site/stands", (SiteStands stands) => Results.Json(stands.View, Options))
            .RequireAuthorization(p => p.RequireRole(RoleExtensions.PeopleRoles));
        app.MapGet("/api/site/stands/{stand}", (string stand, SiteStands stands) => stands.Detail(stand) is { } detail
                ? Results.Json(detail, Options)
                : Results.NotFound(new { error = $"no stand '{stand}' heard at the site: a stand shows once its uplink has sent its statuses" }))
            .RequireAuthorization(p => p.RequireRole(RoleExtensions.PeopleRoles));
        // The operator is the caller (HTTP Basic, the site's own users); the stand answers, or the reply timeout says it did not.
        app.MapPost("/api/site/stands/{stand}/commands", async (string stand, CommandBody? body, ClaimsPrincipal user, SiteCommander commander, HttpContext context) =>
            {
                if (body?.Topic is not { Length: > 0 } topic) return Results.BadRequest(new { error = "the body must be {\"topic\":\"<device>/cmd/…\",\"payload\":…}: \"topic\" is missing" });
                var role = user.IsInRole(nameof(Role.Admin)) ? Role.Admin : user.IsInRole(nameof(Role.Operator)) ? Role.Operator : Role.Viewer;
                var result = await commander.SendAsync(stand, topic, body.Payload ?? "", user.Identity!.Name!, role, $"http:{context.Connection.RemoteIpAddress}", context.RequestAborted);
                return Results.Json(new { stand, topic, ok = result.Ok, error = result.Error, data = result.Data }, Options);
            })
            .RequireAuthorization(p => p.RequireRole(RoleExtensions.PeopleRoles));
    }

    public sealed record CommandBody(string? Topic, string? Payload);
}
