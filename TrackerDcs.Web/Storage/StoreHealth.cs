namespace TrackerDcs.Web.Storage;

/// <summary>
/// Whether the process's own stores take writes: the SQLite database of the data directory (audit, alarm history)
/// and the audit journal. Their writers report each failure and each success; a store that failed stays failed until
/// a write to it succeeds again. The system.store alarm and /readyz read it. A full data disk shows here first.
/// </summary>
public sealed class StoreHealth(TimeProvider time, ILogger<StoreHealth> log)
{
    /// <summary>The embedded database (trackerdcs.db): also the name /readyz has always shown it under.</summary>
    public const string Database = "sqlite";
    /// <summary>The preallocated file of interlock actions the database could not take (audit-journal.jsonl).</summary>
    public const string Journal = "audit-journal";

    /// <summary>A store that cannot be written: the first error and since when.</summary>
    public sealed record Failure(string Store, string Error, DateTimeOffset Since);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Failure> _failing = [];

    public IReadOnlyList<Failure> Failures
    {
        get { lock (_gate) return [.. _failing.Values.OrderBy(f => f.Since)]; }
    }

    public Failure? Of(string store)
    {
        lock (_gate) return _failing.GetValueOrDefault(store);
    }

    /// <summary>A write failed. Logged when the store starts failing, not at every write that fails after.</summary>
    public void Failed(string store, Exception error)
    {
        lock (_gate)
        {
            if (_failing.ContainsKey(store)) return;
            _failing[store] = new Failure(store, error.Message, time.GetUtcNow());
        }
        log.LogError("The store {Store} cannot be written: {Error}", store, error.Message);
    }

    /// <summary>A write succeeded: the store takes writes again.</summary>
    public void Succeeded(string store)
    {
        Failure? ended;
        lock (_gate)
        {
            if (!_failing.Remove(store, out ended)) return;
        }
        log.LogWarning("The store {Store} takes writes again (it could not since {Since:O})", store, ended.Since);
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
}
