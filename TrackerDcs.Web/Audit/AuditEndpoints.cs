using System.Globalization;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Audit;

public static class AuditEndpoints
{
    /// <summary>GET /api/audit?from=…&amp;to=…&amp;limit=…: the command log of a time range (ISO 8601), newest first.</summary>
    public static void MapAudit(this WebApplication app)
    {
        app.MapGet("/api/audit", (AuditLog audit, string? from, string? to, int? limit) =>
        {
            var now = DateTimeOffset.UtcNow;
            if (!TryTime(from, now.AddDays(-1), out var start)) return Results.BadRequest(new { error = $"'from' is not an ISO 8601 time: {from}" });
            if (!TryTime(to, now.AddSeconds(1), out var end)) return Results.BadRequest(new { error = $"'to' is not an ISO 8601 time: {to}" });
            if (limit is < 1 or > 100_000) return Results.BadRequest(new { error = "'limit' must be 1–100000" });
            return Results.Ok(audit.Query(start, end, limit ?? 1000));
        }).RequireAuthorization(p => p.RequireRole(nameof(Role.Viewer), nameof(Role.Operator), nameof(Role.Admin)));
    }

    private static bool TryTime(string? text, DateTimeOffset fallback, out DateTimeOffset time)
    {
        time = fallback;
        return text is null || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }
}
