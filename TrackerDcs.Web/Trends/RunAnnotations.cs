using TrackerDcs.Web.Runs;

namespace TrackerDcs.Web.Trends;

/// <summary>Calibration runs on the trend charts: a span from start to end (to now while one goes on), named by number, calibration and outcome.</summary>
public sealed class RunAnnotations(IRunStore runs) : ITrendAnnotations
{
    /// <summary>The latest runs looked at: a stand does a few dozen a day.</summary>
    private const int Latest = 500;

    public async Task<IReadOnlyList<TrendAnnotation>> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        return [.. (await runs.ListAsync(Latest, cancellationToken))
            .Where(r => r.StartMs < toMs && (r.EndMs ?? long.MaxValue) >= fromMs)
            .OrderBy(r => r.StartMs)
            .Select(r => new TrendAnnotation(r.StartMs, r.EndMs, "run",
                $"run {r.Run} {r.Calibration} ({r.State.ToString().ToLowerInvariant()})"))];
    }
}
