using System.Globalization;

namespace TrackerDcs.Web.Audit;

/// <summary>
/// Where a page of the audit log ends: the time and id of its last (oldest) entry, the order of the log. Written as
/// "&lt;unix ms&gt;.&lt;id&gt;" in /api/audit's <c>before</c> and its Link header; clients pass it back as they got it.
/// </summary>
public readonly record struct AuditCursor(long TimeMs, long Id)
{
    public static AuditCursor After(AuditEntry last) => new(last.Time.ToUnixTimeMilliseconds(), last.Id);

    public override string ToString() => $"{TimeMs.ToString(CultureInfo.InvariantCulture)}.{Id.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse(string text, out AuditCursor cursor)
    {
        cursor = default;
        var dot = text.IndexOf('.');
        if (dot < 0 || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !long.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return false;
        cursor = new AuditCursor(ms, id);
        return true;
    }
}
