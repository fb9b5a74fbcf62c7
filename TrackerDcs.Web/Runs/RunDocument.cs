using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace TrackerDcs.Web.Runs;

/// <summary>How a run ended, or that it is going. The wire names are those of ph2acf/status.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunState>))]
public enum RunState
{
    [JsonStringEnumMemberName("idle")] Idle,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("finished")] Finished,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("stopped")] Stopped,
}

/// <summary>
/// One calibration run as stored (MongoDB or SQLite): written when it starts and again when it ends.
/// Times are UTC milliseconds since the Unix epoch, the unit the InfluxDB join uses.
/// </summary>
public sealed class RunDocument
{
    [JsonPropertyName("run")] public long Run { get; set; }
    [JsonPropertyName("calibration")] public string Calibration { get; set; } = "";
    [JsonPropertyName("modules")] public List<string> Modules { get; set; } = [];
    [JsonPropertyName("comment")] public string Comment { get; set; } = "";
    [JsonPropertyName("operator")] public string Operator { get; set; } = "";
    [JsonPropertyName("state")] public RunState State { get; set; } = RunState.Running;
    /// <summary>Why a run was stopped or failed (time-out, crate state, exit code, stop command).</summary>
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("start_ms")] public long StartMs { get; set; }
    [JsonPropertyName("end_ms")] public long? EndMs { get; set; }
    [JsonPropertyName("exit_code")] public int? ExitCode { get; set; }
    [JsonPropertyName("command")] public List<string> Command { get; set; } = [];
    /// <summary>The program's process and its start time (clock ticks after boot): a restart after a crash finds it by both.</summary>
    [JsonPropertyName("pid")] public int? Pid { get; set; }
    [JsonPropertyName("pid_start_ticks")] public long? PidStartTicks { get; set; }
    [JsonPropertyName("output_directory")] public string OutputDirectory { get; set; } = "";
    [JsonPropertyName("results")] public List<ResultFile> Results { get; set; } = [];
    [JsonPropertyName("conditions_start")] public JsonObject? ConditionsStart { get; set; }
    [JsonPropertyName("conditions_end")] public JsonObject? ConditionsEnd { get; set; }
}

/// <summary>A collected result file: small ones inline (base64), large ones by reference to a blob (GridFS or the blob table).</summary>
public sealed class ResultFile
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("sha256")] public string Sha256 { get; set; } = "";
    [JsonPropertyName("content_base64")] public string? ContentBase64 { get; set; }
    [JsonPropertyName("blob_id")] public string? BlobId { get; set; }
}
