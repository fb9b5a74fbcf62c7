namespace TrackerDcs.Web.TimeSeries;

public enum WriteResult { Written, Rejected, Retry }

/// <summary>What a write attempt came to: written, refused for good (the lines are malformed), or to be tried again later.</summary>
public sealed record WriteOutcome(WriteResult Result, string? Reason = null, TimeSpan? RetryAfter = null)
{
    public static readonly WriteOutcome Written = new(WriteResult.Written);
}

/// <summary>One InfluxDB API: writes a batch of line protocol and says how it went, never throws for the server's answers.</summary>
public interface IInfluxSink : IDisposable
{
    string Describe { get; }

    /// <summary>Appends the point as this API's client writes it; by default the v1 encoder, straight to UTF-8.</summary>
    void Append(LineBatch batch, TimePoint point) => LineProtocol.Append(batch, point);

    /// <summary>Whether <see cref="Append"/> is the v1 encoder, so lines written by it directly are what this sink would write.</summary>
    bool AppendsLineProtocol => true;

    /// <summary>Writes the batch; the caller keeps it (and disposes it).</summary>
    Task<WriteOutcome> WriteAsync(LineBatch batch, CancellationToken cancellationToken);
}
