using System.Collections.Concurrent;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Which principal holds each MQTT client id while its session exists. MQTTnet's delivery hook names only the
/// receiving client id; this map turns it back into a user (for the private inboxes).
/// </summary>
public sealed class SessionOwners
{
    /// <summary>A class, so that removal compares the very claim (principals of one user are equal records).</summary>
    private sealed class Holder(BrokerPrincipal principal)
    {
        public BrokerPrincipal Principal { get; } = principal;
    }

    private readonly ConcurrentDictionary<string, Holder> _owners = new(StringComparer.Ordinal);

    public void Claim(string clientId, BrokerPrincipal principal) => _owners[clientId] = new Holder(principal);

    /// <summary>Forgets the holder when its session ends, unless a newer connection has claimed the id meanwhile.</summary>
    public void Release(string clientId, BrokerPrincipal? principal)
    {
        if (_owners.TryGetValue(clientId, out var holder) && ReferenceEquals(holder.Principal, principal))
            _owners.TryRemove(KeyValuePair.Create(clientId, holder));
    }

    public BrokerPrincipal? Owner(string clientId) => _owners.TryGetValue(clientId, out var holder) ? holder.Principal : null;
}
