namespace TrackerDcs.Web.History;

/// <summary>
/// The history behind the trend charts, decimated where it is stored: the embedded store or InfluxDB. At most
/// about 4 × width points per signal leave it, whatever the range (<see cref="M4Decimator"/>).
/// </summary>
public interface ITrendStore
{
    /// <summary>"embedded" or "influxdb", for the Trends page.</summary>
    string Kind { get; }

    /// <summary>Every numeric signal the store holds.</summary>
    Task<IReadOnlyList<SignalId>> SignalsAsync(CancellationToken cancellationToken);

    /// <summary>The signal over [from, to) for a chart <paramref name="width"/> pixels wide.</summary>
    Task<TrendSeries> ReadAsync(SignalId signal, DateTimeOffset from, DateTimeOffset to, int width, CancellationToken cancellationToken);
}
