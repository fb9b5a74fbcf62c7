using System.Collections;
using System.Collections.Concurrent;
using MQTTnet.Formatter;
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
public sealed class PersistentSessions(MqttServer server, SessionOwners owners, BrokerOptions options, TimeProvider time, ILogger<PersistentSessions> log)
    : BackgroundService
{
    /// <summary>Session items: how long the session outlives its connection, and when it expires while its client is away.</summary>
    private const string ExpiryKey = "trackerdcs.session-expiry";
    private const string ExpiresAtKey = "trackerdcs.session-expires-at";

    /// <summary>
    /// The session expiry each CONNECT asked for, from its validation to its CONNACK: a session MQTTnet reuses keeps
    /// the items of the connection that created it, so the new connection's values are moved in once it is connected.
    /// </summary>
    private readonly ConcurrentDictionary<string, TimeSpan> _connecting = new(StringComparer.Ordinal);

    /// <summary>Clients told about a full queue, until their session ends (MQTTnet's drop event names no session items).</summary>
    private readonly ConcurrentDictionary<string, bool> _dropLogged = new(StringComparer.Ordinal);

    /// <summary>Called for an accepted CONNECT: remembers how long its session is to outlive the connection.</summary>
    public void Connecting(ValidatingConnectionEventArgs e) =>
        _connecting[e.ClientId] = Expiry(e.ProtocolVersion, e.SessionExpiryInterval);

    public void Attach()
    {
        server.ClientConnectedAsync += e =>
        {
            // A reused session still holds the first connection's principal and protocol: the current ones decide
            // what this connection may do, and which claim the session's deletion releases.
            if (owners.Owner(e.ClientId) is { } principal) e.SessionItems[BrokerPrincipal.SessionKey] = principal;
            e.SessionItems[BrokerSecurity.ProtocolKey] = e.ProtocolVersion;
            if (_connecting.TryRemove(e.ClientId, out var expiry)) e.SessionItems[ExpiryKey] = expiry;
            e.SessionItems.Remove(ExpiresAtKey);
            return Task.CompletedTask;
        };
        server.ClientDisconnectedAsync += e =>
        {
            // A taken-over connection's session lives on with the new one.
            if (e.DisconnectType == MqttClientDisconnectType.Takeover) return Task.CompletedTask;
            var expiry = e.SessionItems[ExpiryKey] as TimeSpan? ?? options.PersistentSessionExpiry;
            // MQTT 5 §3.14.2.2.2: the DISCONNECT may change the expiry; MQTTnet, which decides whether to keep the
            // session, takes a non-zero one, and so does this.
            if (e.SessionExpiryInterval is > 0 and var seconds) expiry = Expiry(MqttProtocolVersion.V500, seconds);
            e.SessionItems[ExpiresAtKey] = time.GetUtcNow() + expiry;
            return Task.CompletedTask;
        };
        server.SessionDeletedAsync += e =>
        {
            _dropLogged.TryRemove(e.Id, out _);
            return Task.CompletedTask;
        };
        server.QueuedApplicationMessageOverwrittenAsync += e =>
        {
            if (_dropLogged.TryAdd(e.ReceiverClientId, true))
                log.LogWarning("MQTT queue of client '{ClientId}' is full ({Max} messages, Broker:MaxPendingMessagesPerClient): the oldest queued messages are dropped; further drops for this session are not logged",
                    LogText.Escape(e.ReceiverClientId), options.MaxPendingMessagesPerClient);
            return Task.CompletedTask;
        };
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
    }

    private static bool Expired(IDictionary items, DateTimeOffset now) => items[ExpiresAtKey] is DateTimeOffset at && at <= now;
}
