namespace TrackerDcs.Web.TimeSeries;

/// <summary>Where the writer puts a batch of points: the spool in front of InfluxDB, or the embedded database.</summary>
public interface IPointStore
{
    /// <summary>Keeps the batch, or drops it and logs why (a full spool).</summary>
    void Store(IReadOnlyList<TimePoint> points);
}
