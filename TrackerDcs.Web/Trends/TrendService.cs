using TrackerDcs.Web.History;
namespace TrackerDcs.Web.Trends;

/// <summary>One signal of a chart's answer; Error says why it has no points (the store is unreachable, …).</summary>
public sealed record TrendSeriesResult(string Signal, string Label, string Unit, string Group, long BucketMs, bool Decimated,
    IReadOnlyList<long> T, IReadOnlyList<double?> V, string? Error);

public sealed record TrendResult(long From, long To, int Width, string Store, IReadOnlyList<TrendSeriesResult> Series, IReadOnlyList<TrendAnnotation> Annotations);

/// <summary>Reads a chart's signals (in parallel, each from the store or the source that has it) and the annotations of its range.</summary>
public sealed class TrendService(ITrendStore store, IEnumerable<ITrendSource> sources, IEnumerable<ITrendAnnotations> annotations,
    SignalCatalogue catalogue, ILogger<TrendService> log)
{
    public async Task<TrendResult> ReadAsync(TrendQuery query, CancellationToken cancellationToken)
    {
        var series = await Task.WhenAll(query.Signals.Select(s => Task.Run(() => ReadAsync(s, query, cancellationToken), cancellationToken)));
        var marks = new List<TrendAnnotation>();
        foreach (var source in annotations)
        {
            try
            {
                marks.AddRange(await source.ReadAsync(query.From, query.To, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A run store that is away costs the chart its run marks, not its curves.
                log.LogWarning("Trends: annotations from {Source} unavailable: {Error}", source.GetType().Name, e.Message);
            }
        }
        return new TrendResult(query.From.ToUnixTimeMilliseconds(), query.To.ToUnixTimeMilliseconds(), query.Width, store.Kind, series, marks);
    }

    private async Task<TrendSeriesResult> ReadAsync(SignalId signal, TrendQuery query, CancellationToken cancellationToken)
    {
        var source = sources.FirstOrDefault(s => s.Serves(signal));
        var info = source is null ? catalogue.Describe(signal) : (await source.SignalsAsync(cancellationToken)).FirstOrDefault(s => s.Signal == signal.Key)
            ?? new SignalInfo(signal.Key, signal.Key, signal.Measurement, "");
        try
        {
            var data = source is not null
                ? await source.ReadAsync(signal, query.From, query.To, query.Width, cancellationToken)
                : await store.ReadAsync(signal, query.From, query.To, query.Width, cancellationToken);
            return new TrendSeriesResult(signal.Key, info.Label, info.Unit, info.Group, data.BucketMs, data.Decimated, data.Times, data.Values, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("Trends: {Signal} unavailable: {Error}", signal.Key, e.Message);
            return new TrendSeriesResult(signal.Key, info.Label, info.Unit, info.Group, 0, false, [], [], e.Message);
        }
    }
}
