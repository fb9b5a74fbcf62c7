using System.Collections.Concurrent;

namespace TrackerDcs.Web.Security;

/// <summary>
/// Failed logins counted per key (a name, an address, a name at an address): after <c>freeFailures</c> the key is
/// blocked for a back-off that doubles with each further failure, from 2 s up to 5 minutes. A key whose last
/// failure is older than <see cref="ForgetAfter"/> starts again from zero, and such keys are pruned so that an
/// attacker choosing new keys (names, IPv6 addresses) cannot grow the table without bound.
/// </summary>
public sealed class FailureCounter<TKey>(int freeFailures, TimeProvider time) where TKey : notnull
{
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private const int PruneAbove = 10_000;

    private sealed record Entry(int Count, DateTimeOffset Last, DateTimeOffset BlockedUntil);

    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();

    public int FreeFailures => freeFailures;

    public bool IsBlocked(TKey key) => _entries.TryGetValue(key, out var e) && e.BlockedUntil > time.GetUtcNow();

    /// <summary>Counts a failure; true when this one starts the key's first block (the moment worth one log line).</summary>
    public bool Fail(TKey key)
    {
        var now = time.GetUtcNow();
        if (_entries.Count > PruneAbove) Prune(now);
        var updated = _entries.AddOrUpdate(key,
            _ => Next(0, now),
            (_, e) => Next(now - e.Last > ForgetAfter ? 0 : e.Count, now));
        return updated.Count == freeFailures + 1;
    }

    public void Succeed(TKey key) => _entries.TryRemove(key, out _);

    private Entry Next(int count, DateTimeOffset now)
    {
        var failures = count + 1;
        return new Entry(failures, now, failures > freeFailures ? now + Backoff(failures) : now);
    }

    private TimeSpan Backoff(int failures)
    {
        var seconds = Math.Pow(2, Math.Min(failures - freeFailures, 9));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxBackoff.TotalSeconds));
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, e) in _entries)
            if (e.BlockedUntil <= now && now - e.Last > ForgetAfter) _entries.TryRemove(key, out _);
    }
}
