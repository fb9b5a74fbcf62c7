namespace TrackerDcs.Web.TimeSeries;

/// <summary>Points bound for InfluxDB go to the spool first, always, so order and durability do not depend on whether InfluxDB is up.</summary>
public sealed class SpoolStore(Spool spool, InfluxShipper shipper, long maxBytes, ILogger<SpoolStore> log) : IPointStore
{
    private bool _full;

    public bool IsFull => Volatile.Read(ref _full);

    public void Store(IReadOnlyList<TimePoint> points)
    {
        if (spool.TryAppend(points.Select(p => p.ToLineProtocol()).ToList()))
        {
            if (_full)
            {
                Volatile.Write(ref _full, false);
                log.LogWarning("Time-series spool has room again ({Bytes} bytes pending)", spool.PendingBytes);
            }
            shipper.Wake();
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
