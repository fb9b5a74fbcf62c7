using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>The command log (panel and MQTT alike), filtered by time range, user, action or topic, and result; new entries appear live.</summary>
public partial class AuditPage
{
    private const int Limit = 500;

    [Inject] private AuditLog AuditLog { get; set; } = default!;

    private TimeSpan Range { get; set; } = TimeSpan.FromDays(1);
    private string? UserFilter { get; set; }
    private string? TopicFilter { get; set; }
    private string ResultFilter { get; set; } = "all";
    private IReadOnlyList<AuditEntry> Entries { get; set; } = [];

    protected override PanelTopic Topics => PanelTopic.Audit;

    protected override void Load()
    {
        var now = DateTimeOffset.UtcNow;
        Entries = Filter(AuditLog.Query(now - Range, now.AddMinutes(1), 10_000), UserFilter, TopicFilter, ResultFilter).Take(Limit).ToList();
    }

    /// <summary>The filters of the page, applied to entries newest first.</summary>
    public static IEnumerable<AuditEntry> Filter(IEnumerable<AuditEntry> entries, string? user, string? topic, string result) =>
        entries.Where(e => string.IsNullOrWhiteSpace(user) || e.User.Equals(user.Trim(), StringComparison.OrdinalIgnoreCase))
            .Where(e => string.IsNullOrWhiteSpace(topic) || e.Topic.Contains(topic.Trim(), StringComparison.OrdinalIgnoreCase)
                || AuditAction.Describe(e.Topic, e.Payload).Contains(topic.Trim(), StringComparison.OrdinalIgnoreCase))
            .Where(e => result switch { "ok" => e.Ok, "refused" => !e.Ok, _ => true });

    private void RangeChanged(TimeSpan value) { Range = value; Load(); }
    private void UserChanged(string? value) { UserFilter = value; Load(); }
    private void TopicChanged(string? value) { TopicFilter = value; Load(); }
    private void ResultChanged(string value) { ResultFilter = value; Load(); }
}
