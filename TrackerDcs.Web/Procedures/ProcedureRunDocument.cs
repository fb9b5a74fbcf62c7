using System.Text.Json.Serialization;

namespace TrackerDcs.Web.Procedures;

/// <summary>How a procedure run is going or ended. The wire names are those of procedures/status.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProcedureState>))]
public enum ProcedureState
{
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("paused")] Paused,
    [JsonStringEnumMemberName("finished")] Finished,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>
/// One procedure run as stored in the embedded database: written when it starts, after every step and when it
/// ends, so that a crash leaves a record that the next start marks failed. Times are UTC ms since the epoch.
/// </summary>
public sealed class ProcedureRunDocument
{
    [JsonPropertyName("run")] public long Run { get; set; }
    [JsonPropertyName("procedure")] public string Procedure { get; set; } = "";
    [JsonPropertyName("operator")] public string Operator { get; set; } = "";
    [JsonPropertyName("parameters")] public Dictionary<string, double> Parameters { get; set; } = [];
    [JsonPropertyName("modules")] public List<string> Modules { get; set; } = [];
    [JsonPropertyName("comment")] public string Comment { get; set; } = "";
    [JsonPropertyName("state")] public ProcedureState State { get; set; } = ProcedureState.Running;
    /// <summary>Why it failed: the refused command, the time-out, the fatal alarm, the abort, the crash.</summary>
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("start_ms")] public long StartMs { get; set; }
    [JsonPropertyName("end_ms")] public long? EndMs { get; set; }
    [JsonPropertyName("step_count")] public int StepCount { get; set; }
    [JsonPropertyName("steps")] public List<StepRecord> Steps { get; set; } = [];
    [JsonPropertyName("on_abort")] public List<StepRecord> OnAbort { get; set; } = [];
}

/// <summary>A step as it ran: what it did, when, and how it ended.</summary>
public sealed class StepRecord
{
    [JsonPropertyName("index")] public int Index { get; set; }
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("line")] public int Line { get; set; }
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("start_ms")] public long StartMs { get; set; }
    [JsonPropertyName("end_ms")] public long? EndMs { get; set; }
    [JsonPropertyName("ok")] public bool? Ok { get; set; }
    [JsonPropertyName("result")] public string? Result { get; set; }
}
