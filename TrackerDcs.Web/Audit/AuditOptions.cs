using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Audit;

/// <summary>Section "Audit": how long the command log keeps its entries.</summary>
public sealed class AuditOptions : ISettingsSection
{
    public static string Section => "Audit";

    /// <summary>Entries older than this many days are deleted, once an hour (and once at start).</summary>
    public int RetentionDays { get; set; } = 365;

    public IEnumerable<SettingsProblem> Problems()
    {
        // A day at least: a shorter log would lose last night's commands before anybody read them.
        if (RetentionDays is < 1 or > 36500) yield return new("Audit:RetentionDays", $"{RetentionDays} is outside 1..36500 days");
    }
}
