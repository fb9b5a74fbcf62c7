using System.Collections.Concurrent;
using MQTTnet.Server;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// The messages one client may have queued, by its account's role (<see cref="AccountQuota.MaxPendingMessages"/>): a
/// device account's persistent session left alone for a day must not hold a day of the stand's traffic. MQTTnet bounds
/// every session by one number only (<see cref="BrokerOptions.MaxPendingMessagesPerClient"/>, beyond which it drops the
/// oldest) and gives no hold on a session's queue but its count. So each delivery reads the receiver's count, and a
/// message beyond the role's limit is not queued for that client: the queue keeps its oldest messages in order, as
/// Mosquitto does beyond its <c>max_queued_messages</c>. The refusal is logged once per connection of the client.
/// </summary>
public sealed class PendingQuota(MqttServer server, SessionOwners owners, BrokerOptions options, ILogger<PendingQuota> log)
{
    /// <summary>The sessions of connected or away clients that have an owner (the process's own publishes have none).</summary>
    private readonly ConcurrentDictionary<string, Watched> _sessions = new(StringComparer.Ordinal);

    private sealed class Watched(MqttSessionStatus session, BrokerPrincipal owner, int max)
    {
        public MqttSessionStatus Session { get; } = session;
        public BrokerPrincipal Owner { get; } = owner;
        public int Max { get; } = max;
        /// <summary>1 once a refusal has been logged for this connection.</summary>
        public int Logged;
    }

    /// <summary>After the gate's own enqueue hook and before the persistent sessions' one, which keeps only what is queued.</summary>
    public void Attach()
    {
        server.ClientConnectedAsync += async e =>
        {
            if (owners.Owner(e.ClientId) is not { } owner) return;
            var max = options.Quotas.For(owner.Role).MaxPendingMessages;
            // MQTTnet's own limit comes first; reading the count takes the lock of the session's queue, the most
            // contended lock of a fan-in (docs/performance.md), so it is read only where it can refuse something.
            if (max >= options.MaxPendingMessagesPerClient)
            {
                _sessions.TryRemove(e.ClientId, out _);
                return;
            }
            // Once per connection: the status object reads the live session's count at every delivery.
            var session = await server.SessionAsync(e.ClientId);
            if (session is not null) _sessions[e.ClientId] = new Watched(session, owner, max);
        };
        server.SessionDeletedAsync += e =>
        {
            _sessions.TryRemove(e.Id, out _);
            return Task.CompletedTask;
        };
        server.InterceptingClientEnqueueAsync += e =>
        {
            if (!e.AcceptEnqueue || !_sessions.TryGetValue(e.ReceiverClientId, out var watched) ||
                watched.Session.PendingApplicationMessagesCount < watched.Max)
                return Task.CompletedTask;
            e.AcceptEnqueue = false;
            if (Interlocked.Exchange(ref watched.Logged, 1) == 0)
                log.LogWarning("MQTT queue of client '{ClientId}' user '{User}' holds its {Max} messages (Broker:Quotas:{Role}:MaxPendingMessages): newer messages are not queued for it until it catches up; further ones of this connection are not logged",
                    LogText.Escape(e.ReceiverClientId), watched.Owner.User, watched.Max, watched.Owner.Role);
            return Task.CompletedTask;
        };
    }
}
