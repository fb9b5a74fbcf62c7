namespace TrackerDcs.Web.TimeSeries;

/// <summary>How a payload is read.</summary>
public enum PayloadFormat { Json, Number }

/// <summary>
/// One Telegraf-like input: the messages on <see cref="Topic"/> become points of <see cref="Measurement"/>.
/// JSON payloads follow Telegraf's json parser: numbers are float fields, strings and booleans are ignored
/// unless named (string fields, boolean fields, tag keys); integer and unsigned conversions follow.
/// </summary>
public sealed class MappingRule
{
    /// <summary>MQTT topic filter (+ and # wildcards).</summary>
    public string Topic { get; set; } = "";
    public PayloadFormat Format { get; set; } = PayloadFormat.Json;
    public string Measurement { get; set; } = "";
    /// <summary>JSON keys whose values become tags.</summary>
    public List<string> TagKeys { get; set; } = [];
    /// <summary>Tags taken from topic levels: tag name → level (0 first; negative counts from the end).</summary>
    public Dictionary<string, int> TopicTags { get; set; } = [];
    public List<string> StringFields { get; set; } = [];
    /// <summary>JSON text fields the measurement does not keep, dropped without a log line.</summary>
    public List<string> IgnoredFields { get; set; } = [];
    public List<string> BooleanFields { get; set; } = [];
    public List<string> IntegerFields { get; set; } = [];
    public List<string> UnsignedFields { get; set; } = [];
    /// <summary>Number payloads: the field name is these topic levels joined with '_'.</summary>
    public List<int> FieldFromTopicLevels { get; set; } = [];
    /// <summary>Number payloads: the field name when no levels are given.</summary>
    public string Field { get; set; } = "value";
    /// <summary>Messages of one series within this window become one point, stamped with the window's start; zero: no merging.</summary>
    public TimeSpan MergeWindow { get; set; } = TimeSpan.Zero;
    /// <summary>Computes a dew point field from temperature and humidity fields when the point lacks it.</summary>
    public DewPointRule? DewPoint { get; set; }

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Topic)) yield return "Topic is required";
        if (string.IsNullOrWhiteSpace(Measurement)) yield return "Measurement is required";
        if (MergeWindow < TimeSpan.Zero) yield return "MergeWindow must not be negative";
    }

    /// <summary>The seed's Telegraf schema (docs/architecture.md, "InfluxDB schema").</summary>
    public static readonly IReadOnlyList<MappingRule> Defaults =
    [
        new() { Topic = "dcs/status", Measurement = "dcs_status", StringFields = ["fsm_state"] },
        new()
        {
            Topic = "dcs/channels", Measurement = "channels",
            TagKeys = ["id", "module", "lv_board", "lv_channel", "hv_board", "hv_channel"],
            StringFields = ["fsm_state"],
            IntegerFields = ["lv_status", "hv_status", "lv_tripInt", "lv_tripExt", "hv_tripInt", "hv_tripExt", "hv_imRange", "hv_tripMode"],
        },
        new() { Topic = "julabo/status", Measurement = "chiller", StringFields = ["fsm_state"], IntegerFields = ["status_code", "used_setpoint"] },
        // New: the switch box, whether TrackerDcs publishes SB/status (serial) or the box itself (wifi). The list of
        // enabled channels repeats the mask for MQTT clients; the measurement keeps the mask.
        new()
        {
            Topic = "SB/status", Measurement = "switchbox",
            StringFields = ["fsm_state"], IntegerFields = ["lv", "hv", "channels"], IgnoredFields = ["enabled_channels"],
        },
        // MARTA/status holds only what passed its deadband: each message is a point with those fields. Telegraf's
        // converter made the status and the command bits unsigned, and its InfluxDB 1.x output (influx_uint_support
        // off, the default) wrote them as integers: InfluxDB 1.x refuses unsigned fields ("invalid number").
        new()
        {
            Topic = "MARTA/status", Measurement = "MARTA", StringFields = ["fsm_state"],
            IntegerFields = ["status", "set_start_chiller", "set_start_co2", "set_flow_active", "set_alarm_reset"],
        },
        // New: every alarm event, for Grafana annotations (the key, code and severity as tags).
        new()
        {
            Topic = "alarms/events", Measurement = "alarms",
            TagKeys = ["key", "code", "severity", "event"],
            StringFields = ["message", "subject", "by"],
            // "at" is the event's time, which the point's time already is.
            IgnoredFields = ["guidance", "raised", "acknowledged", "acknowledged_by", "shelved_until", "shelved_by", "shelve_reason", "at"],
        },
        new()
        {
            Topic = "+/sensors/+/+", Format = PayloadFormat.Number, Measurement = "sensors",
            TopicTags = new() { ["sensor"] = 0 }, FieldFromTopicLevels = [-2, -1],
            MergeWindow = TimeSpan.FromSeconds(1),
            DewPoint = new DewPointRule(),
        },
    ];
}

/// <summary>Field names of a computed dew point.</summary>
public sealed class DewPointRule
{
    public string Temperature { get; set; } = "BME_temp";
    public string Humidity { get; set; } = "BME_humi";
    public string Field { get; set; } = "BME_dew";
}
