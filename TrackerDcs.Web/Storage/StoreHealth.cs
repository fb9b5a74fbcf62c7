namespace TrackerDcs.Web.Storage;

/// <summary>
/// Whether the process's own stores take writes: the SQLite database of the data directory (audit, alarm history,
/// runs, procedure runs, users, kept set points) and the audit journal. Their writers report each failure and each
/// success. The system.store alarm and /readyz read it. A full data disk shows here first.
/// </summary>
/// <remarks>
/// A disk at its last blocks takes small writes and refuses large ones, so failures and successes alternate. A store
/// that failed therefore counts as failing until its writes have succeeded for <see cref="RecoveryHold"/> without a
/// new failure: one alarm and one pair of log lines for a flapping disk, not one per write (ISA-18.2's off-delay).
/// </remarks>
public sealed class StoreHealth(TimeProvider time, ILogger<StoreHealth> log)
{
    /// <summary>The embedded database (trackerdcs.db): also the name /readyz has always shown it under.</summary>
    public const string Database = "sqlite";
    /// <summary>The preallocated file of interlock actions the database could not take (audit-journal.jsonl).</summary>
    public const string Journal = "audit-journal";

    /// <summary>How long a failed store's writes must succeed before it counts as writable again.</summary>
    public static readonly TimeSpan RecoveryHold = TimeSpan.FromSeconds(30);

    /// <summary>A store that cannot be written: the first error and since when.</summary>
    public sealed record Failure(string Store, string Error, DateTimeOffset Since);

    /// <summary>A failure, and since when writes succeed again (null while they still fail).</summary>
    private sealed record State(Failure Failure, DateTimeOffset? SucceedingSince);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, State> _states = [];

    public IReadOnlyList<Failure> Failures
    {
        get
        {
            var now = time.GetUtcNow();
            lock (_gate) return [.. _states.Values.Where(s => !Recovered(s, now)).Select(s => s.Failure).OrderBy(f => f.Since)];
        }
    }

    public Failure? Of(string store)
    {
        var now = time.GetUtcNow();
        lock (_gate) return _states.GetValueOrDefault(store) is { } state && !Recovered(state, now) ? state.Failure : null;
    }

    /// <summary>A write failed. Logged when the store starts failing, not at every write that fails after.</summary>
    public void Failed(string store, Exception error)
    {
        var now = time.GetUtcNow();
        State? recovered = null;
        lock (_gate)
        {
            if (_states.TryGetValue(store, out var state))
            {
                if (!Recovered(state, now))
                {
                    _states[store] = state with { SucceedingSince = null };
                    return;
                }
                recovered = state;
            }
            _states[store] = new State(new Failure(store, error.Message, now), null);
        }
        // A recovery no write has reported yet (the log line waits for the first write after the hold) comes first.
        if (recovered is not null) LogRecovered(recovered);
        log.LogError("The store {Store} cannot be written: {Error}", store, error.Message);
    }

    /// <summary>A write succeeded: the store takes writes again once they have for <see cref="RecoveryHold"/>.</summary>
    public void Succeeded(string store)
    {
        var now = time.GetUtcNow();
        State? ended;
        lock (_gate)
        {
            if (!_states.TryGetValue(store, out ended)) return;
            if (ended.SucceedingSince is null)
            {
                _states[store] = ended with { SucceedingSince = now };
                return;
            }
            if (!Recovered(ended, now)) return;
            _states.Remove(store);
        }
        LogRecovered(ended);
    }

    /// <summary>Runs one write to <paramref name="store"/> and reports how it went; the write's exception is rethrown.</summary>
    public T Write<T>(string store, Func<T> write)
    {
        T result;
        try
        {
            result = write();
        }
        catch (Exception e)
        {
            Failed(store, e);
            throw;
        }
        Succeeded(store);
        return result;
    }

    private static bool Recovered(State state, DateTimeOffset now) => now - state.SucceedingSince >= RecoveryHold;

    private void LogRecovered(State ended) =>
        log.LogWarning("The store {Store} takes writes again since {Again:O} (it could not from {Since:O})",
            ended.Failure.Store, ended.SucceedingSince, ended.Failure.Since);
}
