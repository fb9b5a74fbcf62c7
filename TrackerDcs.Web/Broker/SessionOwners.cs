using System.Collections.Concurrent;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Which principal holds each MQTT client id while its session exists. A client id belongs to the user holding
/// it: MQTT lets a CONNECT with a live id take the session over ([MQTT-3.1.4-3]), which between different
/// users would hand one user's session (subscriptions, queued messages) to another. MQTTnet's delivery hook
/// names only the receiving client id; this map also turns it back into a user (for the private inboxes).
/// </summary>
public sealed class SessionOwners
{
    /// <summary>A class, so that removal compares the very claim (principals of one user are equal records).</summary>
    private sealed class Holder(BrokerPrincipal principal)
    {
        public BrokerPrincipal Principal { get; } = principal;
    }

    private readonly ConcurrentDictionary<string, Holder> _owners = new(StringComparer.Ordinal);

    /// <summary>Claims the id for this connection; false when another user holds it (nothing changes then).</summary>
    public bool TryClaim(string clientId, BrokerPrincipal principal)
    {
        var mine = new Holder(principal);
        while (true)
        {
            if (_owners.TryAdd(clientId, mine)) return true;
            if (!_owners.TryGetValue(clientId, out var current)) continue; // released meanwhile: try again
            if (current.Principal.User != principal.User) return false;
            if (_owners.TryUpdate(clientId, mine, current)) return true;
        }
    }

    /// <summary>Forgets the holder when its session ends, unless a newer connection has claimed the id meanwhile.</summary>
    public void Release(string clientId, BrokerPrincipal? principal)
    {
        if (_owners.TryGetValue(clientId, out var holder) && ReferenceEquals(holder.Principal, principal))
            _owners.TryRemove(KeyValuePair.Create(clientId, holder));
    }

    public BrokerPrincipal? Owner(string clientId) => _owners.TryGetValue(clientId, out var holder) ? holder.Principal : null;
}
