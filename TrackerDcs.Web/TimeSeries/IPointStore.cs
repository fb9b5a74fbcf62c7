namespace TrackerDcs.Web.TimeSeries;

/// <summary>Where the writer puts a batch of points: the spool in front of InfluxDB, or the embedded database.</summary>
public interface IPointStore
{
    /// <summary>Keeps the batch, or drops it and logs why (a full spool).</summary>
    void Store(IReadOnlyList<TimePoint> points);
}

/// <summary>
/// A store that takes the writer's batches as the v1 encoder's line protocol (<see cref="LineProtocol"/>), encoded as
/// the messages are mapped, so the mapper can write plain payloads' lines without making points (docs/performance.md).
/// </summary>
public interface ILineStore
{
    /// <summary>Whether this store's batches are <see cref="LineProtocol"/>'s lines (not the v2 client's PointData).</summary>
    bool TakesLines { get; }

    /// <summary>Appends a point the mapper made, as this store's sink encodes it.</summary>
    void Append(LineBatch batch, TimePoint point);

    /// <summary>Keeps the batch (and takes its ownership), or drops it and logs why (a full spool).</summary>
    void Store(LineBatch batch);
}
