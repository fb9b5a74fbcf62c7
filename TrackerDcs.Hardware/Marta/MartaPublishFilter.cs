namespace TrackerDcs.Hardware.Marta;

/// <summary>
/// What to publish of a snapshot (the seed's MARTA/status): <see cref="Values"/> by register name, and the state when
/// it is to be sent (<see cref="State"/>, the seed's fsm_state). <see cref="Full"/> marks a forced publish of every value.
/// </summary>
public sealed record MartaPublication(IReadOnlyDictionary<string, MartaValue> Values, MartaState? State, bool Full);

/// <summary>
/// The seed's publishing rules, as pure bookkeeping: a value is published when it moved by more than its
/// deadband since it was last published; the state when it changed; everything on a forced publish (the first
/// snapshot, a new <see cref="MartaSnapshot.Generation"/> after a refresh or a reconnection, and every
/// <c>forcedPeriod</c>, 10 minutes in the seed). No value is published from a snapshot that is not live, since
/// cached values must not pass for current ones; a forced publish waits until the values are live again.
/// Call <see cref="Next"/> with each snapshot, from one thread.
/// </summary>
public sealed class MartaPublishFilter(MartaRegisterMap map, TimeSpan forcedPeriod, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Dictionary<string, MartaValue> _published = new(StringComparer.Ordinal);
    private MartaState? _publishedState;
    private long? _generation;
    private long _lastFull;

    /// <summary>What to publish now, or null when nothing passed.</summary>
    public MartaPublication? Next(MartaSnapshot snapshot)
    {
        var stateChanged = snapshot.State != _publishedState;
        _publishedState = snapshot.State;
        if (!snapshot.Live)
            return stateChanged ? new MartaPublication(new Dictionary<string, MartaValue>(), snapshot.State, false) : null;

        var now = _time.GetTimestamp();
        if (_generation != snapshot.Generation || _time.GetElapsedTime(_lastFull, now) >= forcedPeriod)
        {
            _generation = snapshot.Generation;
            _lastFull = now;
            foreach (var (name, value) in snapshot.Values) _published[name] = value;
            return new MartaPublication(snapshot.Values, snapshot.State, true);
        }

        var changed = new Dictionary<string, MartaValue>(StringComparer.Ordinal);
        foreach (var register in map.Registers)
        {
            if (!snapshot.Values.TryGetValue(register.Name, out var value)) continue;
            if (_published.TryGetValue(register.Name, out var last) && !Moved(last, value, register.Deadband)) continue;
            changed[register.Name] = value;
            _published[register.Name] = value;
        }
        return changed.Count > 0 || stateChanged ? new MartaPublication(changed, stateChanged ? snapshot.State : null, false) : null;
    }

    /// <summary>More than the deadband away; a NaN (a broken sensor) counts as moved when it appears or goes.</summary>
    public static bool Moved(MartaValue last, MartaValue now, double deadband) =>
        double.IsNaN(last.Number) || double.IsNaN(now.Number)
            ? double.IsNaN(last.Number) != double.IsNaN(now.Number)
            : Math.Abs(now.Number - last.Number) > deadband;
}
