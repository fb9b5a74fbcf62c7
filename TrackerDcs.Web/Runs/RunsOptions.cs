using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Runs;

/// <summary>The Runs section: calibrations, where results go, and the optional MongoDB and InfluxDB peers.</summary>
public sealed class RunsOptions : ISettingsSection
{
    public static string Section => "Runs";

    public Dictionary<string, CalibrationOptions> Calibrations { get; set; } = [];

    /// <summary>Parent of every run's output directory (run-&lt;n&gt;); relative to the data directory.</summary>
    public string OutputDirectory { get; set; } = "runs";

    /// <summary>MongoDB connection string; empty: run documents live in the embedded SQLite database.</summary>
    public string MongoDb { get; set; } = "";
    public string MongoDatabase { get; set; } = "trackerdcs";

    /// <summary>InfluxDB v1 base URL (http://host:8086); empty: no run events, conditions from the run's own snapshots.</summary>
    public string InfluxDb { get; set; } = "";
    public string InfluxDatabase { get; set; } = "trackerdcs";

    /// <summary>For a server with authentication: a user with read and write rights on InfluxDatabase; empty: none sent.</summary>
    public string InfluxUser { get; set; } = "";
    public string InfluxPassword { get; set; } = "";

    /// <summary>How often run events kept while InfluxDB was away are sent again.</summary>
    public TimeSpan InfluxRetryPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Result files up to this size go into the document; larger ones into GridFS or the blob table.</summary>
    public int InlineResultBytes { get; set; } = 64 * 1024;

    /// <summary>Between SIGTERM and the kill of the whole process tree.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>ph2acf/log lines per second; beyond, lines are counted and reported, and kept in the run's log file.</summary>
    public int LogLinesPerSecond { get; set; } = 20;

    /// <summary>Settings errors at start-up, each naming its key, so a bad calibration never waits for its first run.</summary>
    public IEnumerable<SettingsProblem> Problems()
    {
        if (InlineResultBytes < 0) yield return new("Runs:InlineResultBytes", "must not be negative");
        if (LogLinesPerSecond <= 0) yield return new("Runs:LogLinesPerSecond", "must be positive");
        if (StopGracePeriod < TimeSpan.Zero) yield return new("Runs:StopGracePeriod", "must not be negative");
        if (InfluxRetryPeriod <= TimeSpan.Zero) yield return new("Runs:InfluxRetryPeriod", "must be positive");
        if (InfluxDb != "" && !Uri.TryCreate(InfluxDb, UriKind.Absolute, out _)) yield return new("Runs:InfluxDb", $"'{InfluxDb}' is not a URL");
        foreach (var (name, calibration) in Calibrations)
        {
            var key = $"Runs:Calibrations:{name}";
            if (string.IsNullOrWhiteSpace(calibration.Executable)) yield return new($"{key}:Executable", "is empty");
            if (calibration.Timeout <= TimeSpan.Zero) yield return new($"{key}:Timeout", "must be positive");
            if (calibration.CrateState != "" && !CaenView.States.Contains(calibration.CrateState))
                yield return new($"{key}:CrateState", $"'{calibration.CrateState}' is not a crate state (HV_ON, LV_ON, …)");
            if (calibration.ChillerTolerance is < 0) yield return new($"{key}:ChillerTolerance", "must not be negative");
            if (calibration.HardwareDescription == "" && calibration.Arguments.Any(a => a.Contains("{hw}")))
                yield return new($"{key}:HardwareDescription", "is empty but an argument uses {hw}");
        }
    }
}
