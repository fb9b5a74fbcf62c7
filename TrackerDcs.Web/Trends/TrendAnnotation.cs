namespace TrackerDcs.Web.Trends;

/// <summary>
/// A mark on every trend chart: an alarm raised (a line), a run or procedure (a shaded span from start to end;
/// no end while it goes on). Kind is "alarm", "run" or "procedure"; Severity colours alarms.
/// </summary>
public sealed record TrendAnnotation(long StartMs, long? EndMs, string Kind, string Text, string? Severity = null);

/// <summary>Where annotations come from: the alarm history, the run store and the procedure runs.</summary>
public interface ITrendAnnotations
{
    Task<IReadOnlyList<TrendAnnotation>> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
