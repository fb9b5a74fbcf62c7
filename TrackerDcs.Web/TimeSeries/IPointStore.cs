namespace TrackerDcs.Web.TimeSeries;

/// <summary>Where the writer puts a batch of points: the spool in front of InfluxDB, or the embedded database.</summary>
public interface IPointStore
{
    /// <summary>False when the store refused the batch (a full spool); the store has logged why.</summary>
    bool Store(IReadOnlyList<TimePoint> points);
}
