using System.Collections.Concurrent;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Holds QoS 1/2 publishers to the pace of a slow subscriber, as RabbitMQ's credit flow does. Without it the broker
/// acknowledges a publish as soon as it is queued, so publishers faster than a subscriber fill a queue behind the
/// broker that only that subscriber bounds, and every message waits behind it (docs/performance.md, fan-in at QoS 1).
/// Here, once a subscriber has <see cref="FlowControlOptions.MaxUnacknowledged"/> messages queued for it or sent and not
/// acknowledged, a publish to it waits, before it is queued and so before its PUBACK, until it is down to half of that.
/// MQTTnet delivers on the publisher's receive loop, so the wait also pauses that connection's later packets.
/// <para>
/// What is never held, because the stand's safety must not wait on somebody's script: the process's own publishes
/// (status, alarms, replies), device accounts' publishes (sensor readings the interlocks read), commands
/// (<c>+/cmd/#</c>), QoS 0, and a client's publishes to itself (its acknowledgements come on the loop that would wait).
/// One wait lasts at most <see cref="FlowControlOptions.MaxWait"/>; a subscriber that acknowledges nothing for that
/// long is no longer waited for until it acknowledges again, and its messages queue as before, up to its role's
/// <see cref="AccountQuota.MaxPendingMessages"/>.
/// </para>
/// </summary>
public sealed class SubscriberFlowControl(MqttServer server, SessionOwners owners, BrokerOptions options, ILogger<SubscriberFlowControl> log)
{
    /// <summary>The connected clients that have an owner, by client id: only they are waited for.</summary>
    private readonly ConcurrentDictionary<string, Receiver> _receivers = new(StringComparer.Ordinal);

    private sealed class Receiver(BrokerPrincipal owner, MqttSessionStatus session)
    {
        private long _sent;
        private long _acknowledged;
        /// <summary>The session's queue when last read, and the checks since (<see cref="Backlog"/>).</summary>
        private long _queued;
        private int _checks;
        /// <summary>Set while publishers wait for this subscriber; completed (and cleared) when it has caught up.</summary>
        private TaskCompletionSource? _caughtUp;

        public BrokerPrincipal Owner { get; } = owner;
        /// <summary>Reads the live session's queue, the messages not yet handed to the connection.</summary>
        public MqttSessionStatus Session { get; } = session;
        /// <summary>1 while it is not waited for: it acknowledged nothing during a whole wait.</summary>
        public int Stalled;
        /// <summary>1 once this connection's first wait, and its first stall, have been logged.</summary>
        public int LoggedWait, LoggedStall;

        public long Unacknowledged => Volatile.Read(ref _sent) - Volatile.Read(ref _acknowledged);
        /// <summary>
        /// Unacknowledged, and what waits in the session's queue to be sent: under load a publisher's loop can queue many
        /// before the subscriber's send loop runs. Reading the queue takes its lock, the one every publisher and the send
        /// loop contend for, so a check reads it only when still below the limit, and then every eighth time unless
        /// <paramref name="fresh"/>: it misses at most eight messages, and a wait starts with a fresh count.
        /// </summary>
        public long Backlog(int limit, bool fresh)
        {
            var unacknowledged = Unacknowledged;
            if (unacknowledged >= limit) return unacknowledged;
            if (fresh || (Interlocked.Increment(ref _checks) & 7) == 0)
                Volatile.Write(ref _queued, Session.PendingApplicationMessagesCount);
            return unacknowledged + Volatile.Read(ref _queued);
        }

        public long Acknowledged => Volatile.Read(ref _acknowledged);
        public bool Awaited => Volatile.Read(ref _caughtUp) is not null;

        public void Sent() => Interlocked.Increment(ref _sent);
        public void Acknowledge() => Interlocked.Increment(ref _acknowledged);

        /// <summary>The publishers waiting for this subscriber share one signal.</summary>
        public Task CaughtUp()
        {
            if (Volatile.Read(ref _caughtUp) is { } current) return current.Task;
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return (Interlocked.CompareExchange(ref _caughtUp, fresh, null) ?? fresh).Task;
        }

        public void Release() => Interlocked.Exchange(ref _caughtUp, null)?.TrySetResult();
    }

    private int Limit => options.FlowControl.MaxUnacknowledged;
    /// <summary>Where waiting publishers go on: half the limit, so the subscriber has work while they refill it.</summary>
    private int Resume => Limit / 2;

    /// <summary>After the quota's enqueue hook (a message it refuses is not waited for) and before the persistent sessions' one.</summary>
    public void Attach()
    {
        // Off: no hook at all, so no cost per packet.
        if (Limit == 0) return;
        server.ClientConnectedAsync += async e =>
        {
            if (owners.Owner(e.ClientId) is not { } owner) return;
            // Once per connection: the status object reads the live session's queue whenever asked.
            var session = await server.SessionAsync(e.ClientId);
            if (session is not null) _receivers[e.ClientId] = new Receiver(owner, session);
        };
        server.ClientDisconnectedAsync += e =>
        {
            if (_receivers.TryRemove(e.ClientId, out var gone)) gone.Release();
            return Task.CompletedTask;
        };
        server.InterceptingOutboundPacketAsync += e =>
        {
            if (e.Packet is MqttPublishPacket { QualityOfServiceLevel: > MqttQualityOfServiceLevel.AtMostOnce } &&
                _receivers.TryGetValue(e.ClientId, out var receiver))
                receiver.Sent();
            return Task.CompletedTask;
        };
        server.ClientAcknowledgedPublishPacketAsync += e =>
        {
            if (!e.IsCompleted || !_receivers.TryGetValue(e.ClientId, out var receiver)) return Task.CompletedTask;
            receiver.Acknowledge();
            if (Volatile.Read(ref receiver.Stalled) == 1) Volatile.Write(ref receiver.Stalled, 0);
            if (receiver.Awaited && receiver.Backlog(Limit, fresh: true) <= Resume) receiver.Release();
            return Task.CompletedTask;
        };
        server.InterceptingClientEnqueueAsync += e =>
        {
            if (!e.AcceptEnqueue || e.ApplicationMessage.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce ||
                !_receivers.TryGetValue(e.ReceiverClientId, out var receiver) ||
                Volatile.Read(ref receiver.Stalled) == 1 ||
                e.SenderClientId == e.ReceiverClientId || TopicAcl.IsCommand(e.ApplicationMessage.Topic) ||
                owners.Owner(e.SenderClientId) is not { Role: not Role.Device } sender ||
                receiver.Backlog(Limit, fresh: false) < Limit)
                return Task.CompletedTask;
            return WaitAsync(receiver, e.ReceiverClientId, sender);
        };
    }

    private async Task WaitAsync(Receiver receiver, string clientId, BrokerPrincipal sender)
    {
        var caughtUp = receiver.CaughtUp();
        // The acknowledgement that would have released the signal may have come between the check and its creation.
        var backlog = receiver.Backlog(Limit, fresh: true);
        if (backlog <= Resume)
        {
            receiver.Release();
            return;
        }
        var maxWait = options.FlowControl.MaxWait;
        if (Interlocked.Exchange(ref receiver.LoggedWait, 1) == 0)
            log.LogInformation("MQTT client '{ClientId}' user '{User}' has {Count} QoS 1/2 messages queued or unacknowledged (Broker:FlowControl:MaxUnacknowledged {Limit}): QoS 1/2 publishes to it wait for it to catch up, each at most {MaxWait} (the first from user '{Sender}'); further waits of this connection are not logged",
                LogText.Escape(clientId), receiver.Owner.User, backlog, Limit, sender.User, maxWait);
        var acknowledgedBefore = receiver.Acknowledged;
        try
        {
            await caughtUp.WaitAsync(maxWait);
            return;
        }
        catch (TimeoutException)
        {
        }
        // Slow but alive: this publish goes on, the next one waits again.
        if (receiver.Acknowledged != acknowledgedBefore) return;
        Volatile.Write(ref receiver.Stalled, 1);
        receiver.Release();
        if (Interlocked.Exchange(ref receiver.LoggedStall, 1) == 0)
            log.LogWarning("MQTT client '{ClientId}' user '{User}' acknowledged nothing for {MaxWait} with {Count} messages unacknowledged: publishers no longer wait for it until it acknowledges again, and its messages queue up to Broker:Quotas:{Role}:MaxPendingMessages; further stalls of this connection are not logged",
                LogText.Escape(clientId), receiver.Owner.User, maxWait, receiver.Unacknowledged, receiver.Owner.Role);
    }
}
