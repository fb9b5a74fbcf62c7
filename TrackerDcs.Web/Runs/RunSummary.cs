using System.Text.Json.Serialization;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// A calibration run in a history list: what, whose and how it went, and its result files by name and size, without
/// their content, the command line or the conditions (the run's own document has them).
/// </summary>
public sealed record RunSummary(
    [property: JsonPropertyName("run")] long Run,
    [property: JsonPropertyName("calibration")] string Calibration,
    [property: JsonPropertyName("modules")] IReadOnlyList<string> Modules,
    [property: JsonPropertyName("operator")] string Operator,
    [property: JsonPropertyName("comment")] string Comment,
    [property: JsonPropertyName("state")] RunState State,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("start_ms")] long StartMs,
    [property: JsonPropertyName("end_ms")] long? EndMs,
    [property: JsonPropertyName("exit_code")] int? ExitCode,
    [property: JsonPropertyName("results")] IReadOnlyList<RunSummary.Result> Results)
{
    public sealed record Result([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("size")] long Size);

    public static RunSummary Of(RunDocument d) => new(d.Run, d.Calibration, d.Modules, d.Operator, d.Comment, d.State, d.Reason, d.StartMs, d.EndMs,
        d.ExitCode, [.. d.Results.Select(r => new Result(r.Name, r.Size))]);
}
