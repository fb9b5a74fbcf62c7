using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Security;

/// <summary>
/// Checks a name and password for the panel, the HTTP API and the broker. PBKDF2 is deliberately slow, so a flood
/// of bad logins must not buy hashes (docs/broker.md, "Logins"):
/// <list type="bullet">
/// <item>failures are throttled per name at a source address (<see cref="FreeFailures"/>), per source address
/// whatever the names (<see cref="FreeFailuresPerAddress"/>) and per name across all addresses
/// (<see cref="FreeFailuresPerName"/>); a blocked attempt is refused without hashing;</item>
/// <item>names without an account share one budget of checks (<see cref="UnknownNamesPerMinute"/>), so changing
/// the name at each try does not escape the throttle;</item>
/// <item>hashes run on a bounded pool (<see cref="PasswordHashPool"/>);</item>
/// <item>a success is remembered as an HMAC under a per-process key: a client that reconnects pays the hash once,
/// and that already-verified password still opens the account while the name is blocked across all addresses or
/// its address is blocked for all names (an attack from elsewhere, or from behind the same NAT, does not lock out
/// the clients that have logged in). It does not open a name blocked at that very address.</item>
/// </list>
/// </summary>
public sealed class Authenticator
{
    public const int FreeFailures = 5;
    public const int FreeFailuresPerAddress = 100;
    public const int FreeFailuresPerName = 50;
    public const int UnknownNamesPerMinute = 10;
    private static readonly string DummyHash = PasswordHasher.Hash("not a password of anybody");

    private readonly UserStore _users;
    private readonly PasswordHashPool _hashing;
    private readonly ILogger<Authenticator> _log;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, byte[]> _verified = new();
    private readonly FailureCounter<(string Name, IPAddress Address)> _byNameAtAddress;
    private readonly FailureCounter<IPAddress> _byAddress;
    private readonly FailureCounter<string> _byName;
    /// <summary>Names without an account share this budget of checks (a token bucket: a minute's worth at once).</summary>
    private readonly TokenBucket _unknownNames;

    public Authenticator(UserStore users, PasswordHashPool hashing, TimeProvider time, ILogger<Authenticator> log)
    {
        _users = users;
        _hashing = hashing;
        _log = log;
        _byNameAtAddress = new(FreeFailures, time);
        _byAddress = new(FreeFailuresPerAddress, time);
        _byName = new(FreeFailuresPerName, time);
        _unknownNames = new(UnknownNamesPerMinute, UnknownNamesPerMinute / 60.0, time);
        users.Changed += name => _verified.TryRemove(name, out _);
    }

    /// <param name="source">The client's address; null when unknown (all such attempts share one address).</param>
    public async Task<UserAccount?> AuthenticateAsync(string name, string password, IPAddress? source, CancellationToken ct = default)
    {
        var address = source is null ? IPAddress.None : source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source;
        if (_byNameAtAddress.IsBlocked((name, address))) return null;

        var found = _users.Find(name);
        var fingerprint = HMACSHA256.HashData(_cacheKey, System.Text.Encoding.UTF8.GetBytes(password));
        if (found is { } user && _verified.TryGetValue(name, out var known) && CryptographicOperations.FixedTimeEquals(known, fingerprint))
        {
            _byNameAtAddress.Succeed((name, address));
            return user.Account;
        }
        // Many clients may share an address (a NAT, the host's own scripts): its block does not stop the passwords
        // verified already, whose guessing the block per name at the address bounds.
        if (_byAddress.IsBlocked(address)) return null;
        if (found is not null && _byName.IsBlocked(name)) return null;
        if (found is null && !_unknownNames.TryTake(out var exhaustedNow))
        {
            if (exhaustedNow)
                _log.LogWarning("Logins with unknown user names exceed {Budget} a minute: further ones are refused without checking for a while", UnknownNamesPerMinute);
            FailFrom(address);
            return null;
        }

        // An unknown name costs the same as a known one, so timing does not reveal which names exist (while the budget lasts).
        var check = _hashing.TryVerify(password, found?.PasswordHash ?? DummyHash, ct);
        if (check is null)
        {
            _log.LogWarning("Login for user '{User}' from {Address} refused: {Queue} password checks are queued already", LogText.Escape(name), address, PasswordHashPool.QueueLength);
            return null;
        }
        var ok = await check && found is not null;

        if (ok)
        {
            _byNameAtAddress.Succeed((name, address));
            _verified[name] = fingerprint;
            return found!.Value.Account;
        }
        FailFrom(address);
        if (found is null) return null;
        if (_byNameAtAddress.Fail((name, address)))
            _log.LogWarning("Repeated failed logins for user '{User}' from {Address}: further attempts from there are refused for a while", LogText.Escape(name), address);
        if (_byName.Fail(name))
            _log.LogWarning("Repeated failed logins for user '{User}' from several addresses: for a while only a password already verified since the start is accepted", LogText.Escape(name));
        return null;
    }

    private void FailFrom(IPAddress address)
    {
        if (_byAddress.Fail(address))
            _log.LogWarning("Repeated failed logins from {Address}: further attempts from there are refused for a while", address);
    }
}
