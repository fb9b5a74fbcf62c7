using TrackerDcs.Web.History;
namespace TrackerDcs.Web.Trends;

/// <summary>
/// Signals that are not in the time-series store but are recorded elsewhere (alarm states in the alarm history):
/// listed and read beside the store's.
/// </summary>
public interface ITrendSource
{
    bool Serves(SignalId signal);

    Task<IReadOnlyList<SignalInfo>> SignalsAsync(CancellationToken cancellationToken);

    Task<TrendSeries> ReadAsync(SignalId signal, DateTimeOffset from, DateTimeOffset to, int width, CancellationToken cancellationToken);
}
