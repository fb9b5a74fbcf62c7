namespace TrackerDcs.Web.Alarms;

/// <summary>Section "Alarms": thresholds of the built-in alarms.</summary>
public sealed class AlarmOptions
{
    public double EvaluationPeriodSeconds { get; set; } = 0.5;
    /// <summary>A device DISCONNECTED for longer than this raises an alarm (brief drops reconnect by themselves).</summary>
    public double DisconnectedAfterSeconds { get; set; } = 30;
    public double SensorSilentAfterSeconds { get; set; } = 120;
    /// <summary>Coldest temperature minus highest dew point, in °C, below which condensation threatens.</summary>
    public double DewPointMarginMin { get; set; } = 3;
    public double DiskFreePercentMin { get; set; } = 5;
    /// <summary>Time-series spool fill (of TimeSeries:SpoolMaxBytes) above which the spool alarm is raised.</summary>
    public double SpoolFullPercentMax { get; set; } = 80;
}
