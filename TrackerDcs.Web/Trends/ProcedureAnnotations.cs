using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Web.Trends;

/// <summary>
/// Procedure runs on the trend charts: a span from start to end (to now while one goes on), named by number,
/// procedure, modules and outcome, so that a step or a plateau in a curve can be read against the scan or cycle
/// that made it.
/// </summary>
public sealed class ProcedureAnnotations(IProcedureRunStore runs) : ITrendAnnotations
{
    /// <summary>At most this many spans per chart: far more than a chart can show readably, and a bound on the query.</summary>
    private const int Latest = 500;

    public Task<IReadOnlyList<TrendAnnotation>> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        IReadOnlyList<TrendAnnotation> marks = [.. runs.Spans(from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), Latest)
            .Select(r => new TrendAnnotation(r.StartMs, r.EndMs, "procedure",
                $"procedure run {r.Run} {r.Procedure}{(r.Modules.Count > 0 ? $" on {string.Join(", ", r.Modules)}" : "")} ({r.State})"))];
        return Task.FromResult(marks);
    }
}
