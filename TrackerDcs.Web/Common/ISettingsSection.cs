namespace TrackerDcs.Web.Common;

/// <summary>
/// An options class bound to one section of the settings (<see cref="Settings.AddSettings{T}(WebApplicationBuilder)"/>):
/// where it lives, what is wrong with its values, and which of its keys were renamed.
/// </summary>
public interface ISettingsSection
{
    static abstract string Section { get; }

    /// <summary>
    /// Keys renamed when a duration in seconds or minutes became a TimeSpan (old name → new name, e.g.
    /// PublishPeriodSeconds → PublishPeriod): settings files that use the old key still load, converted, with a
    /// warning at start. The old name stays a property of the class, so the binder knows it.
    /// </summary>
    static virtual IReadOnlyList<(string Old, string New)> Renamed => [];

    /// <summary>Every problem of the bound values; none when they are usable.</summary>
    IEnumerable<SettingsProblem> Problems();
}
