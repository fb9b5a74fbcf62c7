using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>Which InfluxDB API the readings are written to; None keeps them in the embedded database.</summary>
public enum InfluxApi { None, V1, V2 }

/// <summary>Section "TimeSeries".</summary>
public sealed class TimeSeriesOptions : ISettingsSection
{
    public const string SectionName = "TimeSeries";
    public static string Section => SectionName;

    public IEnumerable<SettingsProblem> Problems() => Validate().Select(problem => new SettingsProblem(SectionName, problem));

    public InfluxOptions Influx { get; set; } = new();
    /// <summary>Most lines in one write request.</summary>
    public int BatchSize { get; set; } = 5000;
    /// <summary>
    /// Write requests awaiting InfluxDB's answer at once on the healthy path: the next batch is posted while the
    /// server still works on the previous one. 1 posts strictly one after the other.
    /// </summary>
    public int MaxWritesInFlight { get; set; } = 2;
    /// <summary>Longest a reading waits before its batch is written.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Spool bound: readings waiting for InfluxDB beyond this are refused, with an alarm.</summary>
    public long SpoolMaxBytes { get; set; } = 512L * 1024 * 1024;
    /// <summary>Size at which the spool starts a new segment file; delivered segments are deleted.</summary>
    public long SpoolSegmentBytes { get; set; } = Spool.DefaultSegmentBytes;
    /// <summary>A larger MQTT payload is dropped before it is parsed.</summary>
    public int MaxPayloadBytes { get; set; } = 64 * 1024;
    /// <summary>Messages waiting for the writer; beyond it new ones are dropped (counted in the log) rather than stall the broker.</summary>
    public int QueueCapacity { get; set; } = 100_000;
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>What the embedded database keeps when no InfluxDB is configured.</summary>
    public EmbeddedOptions Embedded { get; set; } = new();
    /// <summary>The former name of Embedded:RawRetention (when it was all the history there was); still honoured.</summary>
    public TimeSpan? EmbeddedRetention { get; set; }

    /// <summary>How long every reading stays in the embedded store.</summary>
    public TimeSpan RawRetention => EmbeddedRetention ?? Embedded.RawRetention;
    /// <summary>Replaces the default rules (the seed's Telegraf schema) when not empty.</summary>
    public List<MappingRule> Rules { get; set; } = [];

    public IReadOnlyList<MappingRule> EffectiveRules => Rules.Count > 0 ? Rules : MappingRule.Defaults;

    public IEnumerable<string> Validate()
    {
        if (BatchSize < 1) yield return "BatchSize must be at least 1";
        if (MaxWritesInFlight < 1) yield return "MaxWritesInFlight must be at least 1";
        if (FlushInterval <= TimeSpan.Zero) yield return "FlushInterval must be positive";
        if (QueueCapacity < 1) yield return "QueueCapacity must be at least 1";
        if (SpoolSegmentBytes < 1) yield return "SpoolSegmentBytes must be at least 1";
        foreach (var problem in Influx.Validate()) yield return problem;
        foreach (var problem in Embedded.Validate(RawRetention)) yield return problem;
        for (var i = 0; i < Rules.Count; i++)
            foreach (var problem in Rules[i].Validate()) yield return $"Rules:{i}: {problem}";
    }
}

/// <summary>Section "TimeSeries:Influx".</summary>
public sealed class InfluxOptions
{
    public InfluxApi Api { get; set; } = InfluxApi.None;
    public string Url { get; set; } = "";
    /// <summary>v1: database and retention policy (empty: the database's default).</summary>
    public string Database { get; set; } = "";
    public string RetentionPolicy { get; set; } = "";
    public string User { get; set; } = "";
    public string Password { get; set; } = "";
    /// <summary>v2: organisation, bucket and API token.</summary>
    public string Org { get; set; } = "";
    public string Bucket { get; set; } = "";
    public string Token { get; set; } = "";
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// Compress write requests. Off by default: on loopback or a LAN the bytes saved (line protocol shrinks about
    /// 8×) cost the process and InfluxDB more CPU than the network time they save; worth it over a slow link.
    /// </summary>
    public bool Gzip { get; set; }

    public IEnumerable<string> Validate()
    {
        if (Api == InfluxApi.None) yield break;
        if (!Uri.TryCreate(Url, UriKind.Absolute, out _)) yield return $"Influx:Url '{Url}' is not an absolute URL";
        if (Api == InfluxApi.V1 && string.IsNullOrWhiteSpace(Database)) yield return "Influx:Database is required for the v1 API";
        if (Api == InfluxApi.V2 && (string.IsNullOrWhiteSpace(Org) || string.IsNullOrWhiteSpace(Bucket)))
            yield return "Influx:Org and Influx:Bucket are required for the v2 API";
        // InfluxDB 1.8's compatibility API takes "user:password" as the token.
        if (Api == InfluxApi.V2 && string.IsNullOrWhiteSpace(Token)) yield return "Influx:Token is required for the v2 API (\"user:password\" for InfluxDB 1.8+)";
    }
}
