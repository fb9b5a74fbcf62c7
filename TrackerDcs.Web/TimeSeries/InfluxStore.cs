namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// Points bound for InfluxDB: encoded into one batch as the sink's API writes them, and handed to the shipper,
/// which posts it from memory while InfluxDB takes everything and spools it otherwise (durable, in order).
/// </summary>
public sealed class InfluxStore(IInfluxSink sink, InfluxShipper shipper, Spool spool, long maxBytes, ILogger<InfluxStore> log, StandTag? stand = null)
    : IPointStore, ILineStore
{
    private bool _full;

    public bool IsFull => Volatile.Read(ref _full);

    public bool TakesLines => sink.AppendsLineProtocol;

    public void Append(LineBatch batch, TimePoint point) => sink.Append(batch, point);

    public void Store(IReadOnlyList<TimePoint> points)
    {
        // About 200 bytes a point for the default rules: one rental, no growth, for a full batch.
        var batch = new LineBatch(points.Count * 256);
        foreach (var point in points) sink.Append(batch, point);
        Store(batch);
    }

    public void Store(LineBatch batch)
    {
        if (stand is not null) batch = stand.Stamp(batch);
        if (shipper.Enqueue(batch))
        {
            if (_full)
            {
                Volatile.Write(ref _full, false);
                log.LogWarning("Time-series spool has room again ({Bytes} bytes pending)", spool.PendingBytes);
            }
            return;
        }
        if (!_full)
        {
            Volatile.Write(ref _full, true);
            log.LogError("Time-series spool full ({Bytes} of TimeSeries:SpoolMaxBytes {Max}): readings are dropped until InfluxDB takes them",
                spool.PendingBytes, maxBytes);
        }
    }
}
