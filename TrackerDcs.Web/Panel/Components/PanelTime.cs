namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// Every time the panel shows is UTC and says so (a table in its column header, a caption in its text): the stand's
/// server, the shifter's browser and the log may sit in different zones, and the same trip must read the same on
/// every page and in the audit.
/// </summary>
public static class PanelTime
{
    /// <summary>For a table cell whose header says "(UTC)".</summary>
    public static string Cell(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss");

    public static string Cell(long unixMs) => Cell(DateTimeOffset.FromUnixTimeMilliseconds(unixMs));

    /// <summary>For running text: the date only when it is not today.</summary>
    public static string Caption(DateTimeOffset time) =>
        time.UtcDateTime.ToString(time.UtcDateTime.Date == DateTime.UtcNow.Date ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss") + " UTC";
}
