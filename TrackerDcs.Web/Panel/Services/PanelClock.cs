using System.Globalization;
using Microsoft.JSInterop;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>
/// The panel shows every time in the browser's time zone and says which (a table in its column header, a caption in its
/// text), with UTC on hover: the shifter reads the clock on the control-room wall, while the stand's server and its log
/// may sit in another zone (UTC). Blazor Server renders on the server, so each circuit asks its browser for the zone
/// once (MainLayout, before a page renders); until then, and for a zone this server does not know, times are UTC.
/// </summary>
public sealed class PanelClock
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    /// <summary>The zone as the panel labels times: its IANA name ("Europe/Zurich"), or "UTC".</summary>
    public string ZoneName { get; private set; } = "UTC";

    /// <summary>Whether the browser has said its zone (MainLayout shows a page only once it has).</summary>
    public bool Known { get; private set; }

    /// <summary>Asks the browser (panel/time-zone.js) for its zone; a zone unknown here leaves UTC.</summary>
    public async Task LearnAsync(IJSRuntime js)
    {
        var id = await js.InvokeAsync<string?>("trackerDcs.timeZone");
        Use(id);
        Known = true;
    }

    /// <summary>Uses the zone named <paramref name="id"/>, or UTC when the name is empty or unknown.</summary>
    public void Use(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) || IsUtc(zone))
        {
            (Zone, ZoneName) = (TimeZoneInfo.Utc, "UTC");
            return;
        }
        (Zone, ZoneName) = (zone, id);
    }

    public DateTime Local(DateTimeOffset time) => TimeZoneInfo.ConvertTime(time, Zone).DateTime;

    /// <summary>For a table cell whose header names the zone (<see cref="ZoneName"/>).</summary>
    public string Cell(DateTimeOffset time) => Local(time).ToString("yyyy-MM-dd HH:mm:ss", Invariant);

    /// <summary>The time of day only, for a cell whose table's date is said elsewhere.</summary>
    public string TimeOfDay(DateTimeOffset time) => Local(time).ToString("HH:mm:ss", Invariant);

    /// <summary>To the millisecond, for a run's start and end.</summary>
    public string Precise(DateTimeOffset time) => Local(time).ToString("yyyy-MM-dd HH:mm:ss.fff", Invariant);

    /// <summary>For running text, labelled: the date only when it is not today in the browser's zone.</summary>
    public string Caption(DateTimeOffset time)
    {
        var local = Local(time);
        var today = Local(DateTimeOffset.UtcNow).Date;
        return local.ToString(local.Date == today ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss", Invariant) + " " + ZoneName;
    }

    /// <summary>The same instant in UTC, for the hover title.</summary>
    public static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC";

    /// <summary>The instant as a machine reads it (the time element's datetime attribute).</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", Invariant);

    public static DateTimeOffset FromUnixMs(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);

    /// <summary>How long something has run or has left: seconds, minutes and seconds, or hours and minutes.</summary>
    public static string Duration(double seconds) => seconds switch
    {
        < 60 => $"{seconds.ToString("0", Invariant)} s",
        < 3600 => $"{(int)(seconds / 60)} min {((int)seconds % 60):00} s",
        _ => $"{(int)(seconds / 3600)} h {((int)seconds % 3600 / 60):00} min",
    };

    // "Etc/UTC", "UTC", "Etc/GMT", "Etc/Universal": all read best as "UTC".
    private static bool IsUtc(TimeZoneInfo zone) =>
        zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime &&
        (zone.Id.Contains("UTC", StringComparison.OrdinalIgnoreCase) || zone.Id.Contains("GMT", StringComparison.OrdinalIgnoreCase) ||
         zone.Id.Contains("Universal", StringComparison.OrdinalIgnoreCase) || zone.Id.Contains("Zulu", StringComparison.OrdinalIgnoreCase));
}
