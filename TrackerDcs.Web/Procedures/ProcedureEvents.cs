using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// Hands a run's points (<see cref="ProcedureMeasurements"/>) to the time-series store in front of InfluxDB, whose shipper
/// posts them and spools them on disk while InfluxDB is away, like every reading. Without InfluxDB (the embedded store)
/// there are none: the run's record holds the same data.
/// </summary>
public sealed class ProcedureEvents(InfluxStore? influx)
{
    public void Write(params TimePoint[] points)
    {
        if (influx is not null && points.Length > 0) influx.Store(points);
    }
}
