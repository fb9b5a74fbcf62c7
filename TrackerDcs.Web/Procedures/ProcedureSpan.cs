namespace TrackerDcs.Web.Procedures;

/// <summary>When a procedure run went on and what it was, without its steps and curves (the trend charts' spans).</summary>
/// <param name="State">As stored and as on procedures/status: running, paused, finished, failed.</param>
/// <param name="EndMs">None while it goes on, or while a crash left it unrecorded until the next start marks it failed.</param>
public sealed record ProcedureSpan(long Run, string Procedure, string State, long StartMs, long? EndMs, IReadOnlyList<string> Modules);
