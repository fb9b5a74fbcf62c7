namespace TrackerDcs.Web.Runs;

/// <summary>A run's start or end, as Grafana annotates it: measurement <c>runs</c>, tags calibration and event.</summary>
public sealed record RunEvent(string Event, RunDocument Run, long TimeMs);

/// <summary>
/// Where run start and end events go for Grafana. Defined here so the runs do not wait for the time-series
/// writer; <see cref="InfluxRunEventSink"/> writes them to InfluxDB v1 directly.
/// </summary>
public interface IRunEventSink
{
    Task WriteAsync(RunEvent runEvent, CancellationToken ct = default);
}

/// <summary>The DCS conditions recorded in InfluxDB between two instants (UTC ms), by measurement.</summary>
public interface IConditionsQuery
{
    Task<System.Text.Json.Nodes.JsonObject> QueryAsync(long fromMs, long toMs, CancellationToken ct = default);
}
