namespace TrackerDcs.Web.History;

/// <summary>One bucket of a decimated series: the extremes keep spikes visible however long the range.</summary>
public sealed record HistoryBucket(DateTimeOffset Start, double Min, double Max, double Last);

/// <summary>
/// The panel's one way to read history, served by the embedded store or InfluxDB. Decimation happens in
/// the store (min/max per bucket, one bucket per pixel column), so a week draws as fast as an hour.
/// </summary>
public interface IHistoryReader
{
    Task<IReadOnlyList<HistoryBucket>> ReadAsync(
        string measurement,
        IReadOnlyDictionary<string, string> tags,
        string field,
        DateTimeOffset from,
        DateTimeOffset to,
        int buckets,
        CancellationToken cancellationToken);
}
