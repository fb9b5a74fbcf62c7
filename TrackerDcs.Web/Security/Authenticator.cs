using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace TrackerDcs.Web.Security;

/// <summary>
/// Checks a name and password for the panel and the broker.
/// PBKDF2 is deliberately slow, so two things keep it from hurting the stand: a success is remembered
/// as an HMAC under a per-process key (a script that reconnects every second pays the hash once), and
/// failures are throttled per name (after <see cref="FreeFailures"/> failures, attempts for that name are
/// refused without hashing until the back-off ends), with at most one hash per core in flight.
/// A flood of bad passwords thus costs little while other clients keep being served.
/// </summary>
public sealed class Authenticator
{
    public const int FreeFailures = 5;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private static readonly string DummyHash = PasswordHasher.Hash("not a password of anybody");

    private readonly UserStore _users;
    private readonly TimeProvider _time;
    private readonly ILogger<Authenticator> _log;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, byte[]> _verified = new();
    private readonly ConcurrentDictionary<string, Failures> _failures = new();
    private readonly SemaphoreSlim _hashing = new(Math.Max(1, Environment.ProcessorCount / 2));

    private sealed record Failures(int Count, DateTimeOffset BlockedUntil);

    public Authenticator(UserStore users, TimeProvider time, ILogger<Authenticator> log)
    {
        _users = users;
        _time = time;
        _log = log;
        users.Changed += name => _verified.TryRemove(name, out _);
    }

    public async Task<UserAccount?> AuthenticateAsync(string name, string password, CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        if (_failures.TryGetValue(name, out var failures) && failures.BlockedUntil > now)
            return null;

        var found = _users.Find(name);
        var fingerprint = HMACSHA256.HashData(_cacheKey, System.Text.Encoding.UTF8.GetBytes(password));
        if (found is { } user && _verified.TryGetValue(name, out var known) && CryptographicOperations.FixedTimeEquals(known, fingerprint))
            return user.Account;

        bool ok;
        await _hashing.WaitAsync(ct);
        try
        {
            // An unknown name costs the same as a known one, so timing does not reveal which names exist.
            ok = PasswordHasher.Verify(password, found?.PasswordHash ?? DummyHash) && found is not null;
        }
        finally
        {
            _hashing.Release();
        }

        if (ok)
        {
            _failures.TryRemove(name, out _);
            _verified[name] = fingerprint;
            return found!.Value.Account;
        }

        var updated = _failures.AddOrUpdate(name,
            _ => new Failures(1, now),
            (_, f) => new Failures(f.Count + 1, f.Count + 1 > FreeFailures ? now + Backoff(f.Count + 1) : now));
        if (updated.Count == FreeFailures + 1)
            _log.LogWarning("Repeated failed logins for user '{User}': further attempts are refused for a while", TrackerDcs.Web.Common.LogText.Escape(name));
        return null;
    }

    private static TimeSpan Backoff(int failures)
    {
        var seconds = Math.Pow(2, Math.Min(failures - FreeFailures, 9));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxBackoff.TotalSeconds));
    }
}
