using System.Globalization;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Audit;

public static class AuditEndpoints
{
    /// <summary>At most this many entries per answer: the rest is paged, so one request cannot ask for the whole log.</summary>
    public const int MaxLimit = 1000;

    /// <summary>
    /// GET /api/audit?from=…&amp;to=…&amp;limit=…&amp;before=…: the command log of a time range (ISO 8601), newest first,
    /// as a JSON array of at most <c>limit</c> entries. A full page has a Link header (RFC 8288) to the next,
    /// older one: the same query with <c>before</c> set to the last entry's cursor.
    /// </summary>
    public static void MapAudit(this WebApplication app)
    {
        app.MapGet("/api/audit", (HttpContext context, AuditLog audit, string? from, string? to, string? limit, string? before) =>
        {
            var now = DateTimeOffset.UtcNow;
            if (!TryTime(from, now.AddDays(-1), out var start)) return Bad("from", $"'{Quote(from)}' is not an ISO 8601 time");
            if (!TryTime(to, now.AddSeconds(1), out var end)) return Bad("to", $"'{Quote(to)}' is not an ISO 8601 time");
            var count = MaxLimit;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxLimit))
                return Bad("limit", $"'{Quote(limit)}' is not a whole number from 1 to {MaxLimit}");
            AuditCursor? cursor = null;
            if (before is not null)
            {
                if (!AuditCursor.TryParse(before, out var parsed)) return Bad("before", $"'{Quote(before)}' is not a cursor of this log (the Link header's)");
                cursor = parsed;
            }
            var page = audit.QueryPage(start, end, count, cursor);
            if (page.Count == count)
                context.Response.Headers.Link = $"<{Next(context.Request, start, end, count, AuditCursor.After(page[^1]))}>; rel=\"next\"";
            return Results.Ok(page);
        }).RequireAuthorization(p => p.RequireRole(RoleExtensions.PeopleRoles));
    }

    /// <summary>The next page keeps the range the client asked for, fixed at this answer's times (the defaults move).</summary>
    private static string Next(HttpRequest request, DateTimeOffset from, DateTimeOffset to, int limit, AuditCursor cursor) =>
        $"{request.PathBase}{request.Path}?from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}" +
        $"&to={Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture))}&limit={limit}&before={cursor}";

    private static IResult Bad(string parameter, string problem) =>
        Results.BadRequest(new { error = $"query parameter '{parameter}': {problem}", parameter });

    private static string Quote(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";

    private static bool TryTime(string? text, DateTimeOffset fallback, out DateTimeOffset time)
    {
        time = fallback;
        return text is null || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }
}
