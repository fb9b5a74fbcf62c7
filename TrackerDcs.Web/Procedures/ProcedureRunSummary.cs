using System.Text.Json.Serialization;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// A procedure run in a history list (GET /api/procedures/runs, procedures/cmd/runs): what and whose it was and how it
/// went, without its steps and curves (its own record has them).
/// </summary>
public sealed record ProcedureRunSummary(
    [property: JsonPropertyName("run")] long Run,
    [property: JsonPropertyName("procedure")] string Procedure,
    [property: JsonPropertyName("operator")] string Operator,
    [property: JsonPropertyName("modules")] IReadOnlyList<string> Modules,
    [property: JsonPropertyName("comment")] string Comment,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, double> Parameters,
    [property: JsonPropertyName("state")] ProcedureState State,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("start_ms")] long StartMs,
    [property: JsonPropertyName("end_ms")] long? EndMs,
    [property: JsonPropertyName("step_count")] int StepCount,
    [property: JsonPropertyName("steps_done")] int StepsDone)
{
    public static ProcedureRunSummary Of(ProcedureRunDocument d) => new(d.Run, d.Procedure, d.Operator, d.Modules, d.Comment, d.Parameters,
        d.State, d.Reason, d.StartMs, d.EndMs, d.StepCount, d.Steps.Count(s => s.EndMs is not null));
}
