using TrackerDcs.Web.History;
namespace TrackerDcs.Web.Trends;

/// <summary>
/// Every signal the Trends page offers: what the store holds (each series under its canonical name, described by
/// its device) and what the other sources record (alarm states). Built from the store, so a new device's
/// measurements appear as soon as they are written; a device that registers an <see cref="ISignalDescriber"/>
/// gives them names and units. Kept for a few seconds: the page asks for it once per visit.
/// </summary>
public sealed class SignalCatalogue(ITrendStore store, IEnumerable<ISignalDescriber> describers, IEnumerable<ITrendSource> sources, TimeProvider time)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private (IReadOnlyList<SignalInfo> Signals, DateTimeOffset At)? _cached;

    public async Task<IReadOnlyList<SignalInfo>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            if (_cached is { } cached && time.GetUtcNow() - cached.At < Fresh) return cached.Signals;
        var signals = (await store.SignalsAsync(cancellationToken)).Select(Canonical).Distinct().Select(Describe).ToList();
        foreach (var source in sources) signals.AddRange(await source.SignalsAsync(cancellationToken));
        IReadOnlyList<SignalInfo> sorted = [.. signals.OrderBy(s => s.Group, StringComparer.Ordinal).ThenBy(s => s.Label, StringComparer.Ordinal)];
        lock (_gate) _cached = (sorted, time.GetUtcNow());
        return sorted;
    }

    public SignalId Canonical(SignalId signal) => Describer(signal)?.Canonical(signal) ?? signal;

    public SignalInfo Describe(SignalId signal) =>
        Describer(signal)?.Describe(signal) ?? new SignalInfo(signal.Key, signal.Key, signal.Measurement, "");

    private ISignalDescriber? Describer(SignalId signal) => describers.FirstOrDefault(d => d.Describes(signal.Measurement));
}
