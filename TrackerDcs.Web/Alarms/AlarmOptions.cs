using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Alarms;

/// <summary>Section "Alarms": thresholds of the built-in alarms.</summary>
public sealed class AlarmOptions : ISettingsSection
{
    public static string Section => "Alarms";
    public static IReadOnlyList<(string Old, string New)> Renamed =>
    [
        (nameof(EvaluationPeriodSeconds), nameof(EvaluationPeriod)),
        (nameof(DisconnectedAfterSeconds), nameof(DisconnectedAfter)),
        (nameof(SensorSilentAfterSeconds), nameof(SensorSilentAfter)),
    ];

    public TimeSpan EvaluationPeriod { get; set; } = TimeSpan.FromSeconds(0.5);
    /// <summary>A device DISCONNECTED for longer than this raises an alarm (brief drops reconnect by themselves).</summary>
    public TimeSpan DisconnectedAfter { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan SensorSilentAfter { get; set; } = TimeSpan.FromSeconds(120);
    /// <summary>Coldest temperature minus highest dew point, in °C, below which condensation threatens.</summary>
    public double DewPointMarginMin { get; set; } = 3;
    public double DiskFreePercentMin { get; set; } = 5;
    /// <summary>Time-series spool fill (of TimeSeries:SpoolMaxBytes) above which the spool alarm is raised.</summary>
    public double SpoolFullPercentMax { get; set; } = 80;

    /// <summary>
    /// Alarm codes that latch besides the interlocks' (which always do): each stays listed after its condition
    /// cleared until acknowledged. By default the faults that stop the cooling, which a unit may clear by itself.
    /// </summary>
    public List<string> Latching { get; set; } = [AlarmCatalog.ChillerFault.Code, AlarmCatalog.MartaFailSafe.Code];

    // Renamed to the TimeSpans above; still read from older settings files.
    public double? EvaluationPeriodSeconds { get; set; }
    public double? DisconnectedAfterSeconds { get; set; }
    public double? SensorSilentAfterSeconds { get; set; }

    public IEnumerable<SettingsProblem> Problems()
    {
        if (EvaluationPeriod <= TimeSpan.Zero) yield return new("Alarms:EvaluationPeriod", $"{EvaluationPeriod} must be positive");
        if (DisconnectedAfter < TimeSpan.Zero) yield return new("Alarms:DisconnectedAfter", $"{DisconnectedAfter} must not be negative");
        if (SensorSilentAfter <= TimeSpan.Zero) yield return new("Alarms:SensorSilentAfter", $"{SensorSilentAfter} must be positive");
        if (!double.IsFinite(DewPointMarginMin)) yield return new("Alarms:DewPointMarginMin", $"{DewPointMarginMin} is not a temperature difference");
        if (DiskFreePercentMin is < 0 or > 100) yield return new("Alarms:DiskFreePercentMin", $"{DiskFreePercentMin} is not a percentage (0–100)");
        if (SpoolFullPercentMax is < 0 or > 100) yield return new("Alarms:SpoolFullPercentMax", $"{SpoolFullPercentMax} is not a percentage (0–100)");
        foreach (var code in Latching.Where(c => !AlarmCatalog.Codes.Contains(c)))
            yield return new("Alarms:Latching", $"'{code}' is not an alarm code (one of {string.Join(", ", AlarmCatalog.Codes.Order())})");
    }
}
