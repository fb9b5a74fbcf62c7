using System.Collections;
using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Persistent sessions: a 3.1.1 client connecting with clean session 0, or an MQTT 5 client with a session expiry
/// above 0, keeps its subscriptions and the QoS 1/2 messages queued for it while it is away (MQTTnet's
/// <c>WithPersistentSessions</c>, in memory), up to <see cref="BrokerOptions.MaxPendingMessagesPerClient"/>, the oldest
/// dropped beyond. MQTTnet never expires a session itself: here a session whose client has not come back within
/// its expiry (3.1.1: <see cref="BrokerOptions.PersistentSessionExpiry"/>; 5: the client's, capped by that setting,
/// [MQTT-3.1.2-23]) is deleted, which also frees its client id for other users (<see cref="SessionOwners"/>).
/// </summary>
public sealed class PersistentSessions(MqttServer server, SessionOwners owners, DurableSessions durable, BrokerOptions options, TimeProvider time,
    ILogger<PersistentSessions> log)
    : BackgroundService
{
    /// <summary>Session items: whether the session outlives its connection, for how long, and when it expires while its client is away.</summary>
    public const string PersistentKey = "trackerdcs.session-persistent";
    private const string ExpiryKey = "trackerdcs.session-expiry";
    private const string ExpiresAtKey = "trackerdcs.session-expires-at";

    /// <summary>
    /// The session expiry each CONNECT asked for, from its validation to its CONNACK: a session MQTTnet reuses keeps
    /// the items of the connection that created it, so the new connection's values are moved in once it is connected.
    /// </summary>
    private readonly ConcurrentDictionary<string, Connect> _connecting = new(StringComparer.Ordinal);

    /// <summary>What a CONNECT asked for: a clean session or not, and whether and how long the session outlives the connection.</summary>
    private sealed record Connect(bool Clean, bool Persistent, TimeSpan Expiry);

    /// <summary>Clients told about a full queue, until their session ends (MQTTnet's drop event names no session items).</summary>
    private readonly ConcurrentDictionary<string, bool> _dropLogged = new(StringComparer.Ordinal);

    /// <summary>Called for an accepted CONNECT: remembers how long its session is to outlive the connection.</summary>
    public void Connecting(ValidatingConnectionEventArgs e) =>
        // [MQTT-3.1.2-6] 3.1.1: clean session 0 keeps the session; [MQTT-3.1.2-23] 5: a session expiry above 0 does.
        _connecting[e.ClientId] = new Connect(e.CleanSession != false,
            e.ProtocolVersion < MqttProtocolVersion.V500 ? e.CleanSession == false : e.SessionExpiryInterval > 0,
            Expiry(e.ProtocolVersion, e.SessionExpiryInterval));

    /// <summary>Whether the session of these items outlives its connection.</summary>
    public static bool IsPersistent(IDictionary items) => items[PersistentKey] is true;

    public void Attach()
    {
        server.ClientConnectedAsync += async e =>
        {
            // A reused session still holds the first connection's principal and protocol: the current ones decide
            // what this connection may do, and which claim the session's deletion releases.
            if (owners.Owner(e.ClientId) is { } principal) e.SessionItems[BrokerPrincipal.SessionKey] = principal;
            e.SessionItems[BrokerSecurity.ProtocolKey] = e.ProtocolVersion;
            e.SessionItems.Remove(ExpiresAtKey);
            if (!_connecting.TryRemove(e.ClientId, out var connect)) return;
            e.SessionItems[ExpiryKey] = connect.Expiry;
            e.SessionItems[PersistentKey] = connect.Persistent;
            // A clean session discards the previous one, on disk too [MQTT-3.1.2-6].
            if (connect.Clean || !connect.Persistent) durable.Forget(e.ClientId);
            if (!connect.Persistent) return;
            var user = (e.SessionItems[BrokerPrincipal.SessionKey] as BrokerPrincipal)?.User ?? "";
            if (await durable.ConnectedAsync(e.ClientId, user, connect.Expiry) is { } restored) await RestoreAsync(restored);
        };
        server.ClientDisconnectedAsync += e =>
        {
            // A taken-over connection's session lives on with the new one.
            if (e.DisconnectType == MqttClientDisconnectType.Takeover) return Task.CompletedTask;
            var expiry = e.SessionItems[ExpiryKey] as TimeSpan? ?? options.PersistentSessionExpiry;
            // MQTT 5 §3.14.2.2.2: the DISCONNECT may change the expiry; MQTTnet, which decides whether to keep the
            // session, takes a non-zero one, and so does this.
            if (e.SessionExpiryInterval is > 0 and var seconds) expiry = Expiry(MqttProtocolVersion.V500, seconds);
            var expiresAt = time.GetUtcNow() + expiry;
            e.SessionItems[ExpiresAtKey] = expiresAt;
            durable.Disconnected(e.ClientId, expiresAt);
            return Task.CompletedTask;
        };
        server.SessionDeletedAsync += e =>
        {
            _dropLogged.TryRemove(e.Id, out _);
            durable.Forget(e.Id);
            return Task.CompletedTask;
        };
        // After the gate's own enqueue hook (attached first), which may refuse the delivery.
        server.InterceptingClientEnqueueAsync += e =>
        {
            if (!e.AcceptEnqueue) return Task.CompletedTask;
            var written = durable.QueuedAsync(e.ReceiverClientId, e.ApplicationMessage);
            // The process's own publishes are acknowledged to nobody: its device loops do not wait for the disk.
            return e.SenderClientId == MqttPublisher.ClientId ? Task.CompletedTask : written;
        };
        server.ClientAcknowledgedPublishPacketAsync += e =>
        {
            durable.Remove(e.ClientId, e.PublishPacket.Topic, e.PublishPacket.Payload);
            return Task.CompletedTask;
        };
        server.QueuedApplicationMessageOverwrittenAsync += e =>
        {
            if (e.Packet is MqttPublishPacket dropped) durable.Remove(e.ReceiverClientId, dropped.Topic, dropped.Payload);
            if (_dropLogged.TryAdd(e.ReceiverClientId, true))
                log.LogWarning("MQTT queue of client '{ClientId}' is full ({Max} messages, Broker:MaxPendingMessagesPerClient): the oldest queued messages are dropped; further drops for this session are not logged",
                    LogText.Escape(e.ReceiverClientId), options.MaxPendingMessagesPerClient);
            return Task.CompletedTask;
        };
    }

    /// <summary>
    /// A session read back from disk, its client back for the first time since the start: MQTTnet gets its
    /// subscriptions (checked again by the gate, with the user's rights now), then the messages queued while the
    /// process was down or the client away. Subscribing first loses nothing published meanwhile; such a message may
    /// come before older queued ones. The CONNACK has already said "session present 0": MQTTnet decides it before this
    /// event and has no way to be handed a session, so a client subscribes again as after a clean session.
    /// </summary>
    private async Task RestoreAsync(StoredSession restored)
    {
        var filters = restored.Filters.Select(f => new MqttTopicFilterBuilder().WithTopic(f.Key).WithQualityOfServiceLevel(f.Value)
            .WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe).Build()).ToList();
        if (filters.Count > 0) await server.SubscribeAsync(restored.ClientId, filters);
        var session = await server.SessionAsync(restored.ClientId);
        foreach (var message in restored.Queue.Values) session?.TryEnqueueApplicationMessage(message, out _);
        log.LogInformation("MQTT session of client '{ClientId}' restored from disk: {Filters} subscriptions, {Messages} queued messages",
            LogText.Escape(restored.ClientId), filters.Count, restored.Queue.Count);
    }

    /// <summary>How long a session outlives its connection: 3.1.1, the setting; 5, what the client asked for, capped by it.</summary>
    private TimeSpan Expiry(MqttProtocolVersion protocol, uint seconds) =>
        protocol < MqttProtocolVersion.V500 || TimeSpan.FromSeconds(seconds) > options.PersistentSessionExpiry
            ? options.PersistentSessionExpiry
            : TimeSpan.FromSeconds(seconds);

    /// <summary>
    /// Deletes expired sessions, checking a few times per expiry and at least once a minute: a session may outlive its
    /// expiry by up to that period (a minute at most with the default day).
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(options.PersistentSessionExpiry.Ticks / 8, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                if (server.IsStarted) await DeleteExpiredAsync();
        }
        catch (OperationCanceledException)
        {
            // Stopping: the sessions go with the process.
        }
    }

    private async Task DeleteExpiredAsync()
    {
        var now = time.GetUtcNow();
        foreach (var session in await server.GetSessionsAsync())
        {
            if (!Expired(session.Items, now)) continue;
            log.LogInformation("MQTT session of client '{ClientId}' expired: its client did not come back within {Expiry}",
                LogText.Escape(session.Id), session.Items[ExpiryKey] as TimeSpan? ?? options.PersistentSessionExpiry);
            await session.DeleteAsync();
        }
        foreach (var id in durable.ForgetExpiredAbsent(now))
            log.LogInformation("MQTT session of client '{ClientId}' expired: its client did not come back before the time saved on disk", LogText.Escape(id));
    }

    private static bool Expired(IDictionary items, DateTimeOffset now) => items[ExpiresAtKey] is DateTimeOffset at && at <= now;
}
