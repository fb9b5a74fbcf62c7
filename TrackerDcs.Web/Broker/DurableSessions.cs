using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using MQTTnet;
using MQTTnet.Protocol;
using TrackerDcs.Web.Security;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// The persistent sessions on disk (<c>data/sessions/</c>), so that they survive a restart and a crash: each one's
/// user and expiry, subscriptions, and the QoS 1/2 messages queued for it until its client acknowledges them.
/// <para>
/// The store is the retained messages' journal (<see cref="RetainedJournal"/>: append, group-committed fsync,
/// torn-tail recovery, background compaction) used as a map from key to record, one record per fact:
/// <c>s␀id</c> the session, <c>f␀id␀filter</c> a subscription, <c>m␀id␀sequence</c> a queued message; a record with
/// an empty payload deletes its key. A message queued for a client is journaled from MQTTnet's enqueue hook, which
/// MQTTnet awaits before it acknowledges the publisher: a PUBACK/PUBREC means the message is on disk for every
/// persistent session it was queued for.
/// </para>
/// </summary>
public sealed class DurableSessions(DataDirectory data, SessionOwners owners, BrokerOptions options, TimeProvider time, ILogger<DurableSessions> log)
    : IHostedService
{
    private const char Separator = '\0'; // not allowed in MQTT strings [MQTT-1.5.3-2], so it cannot occur in an id or filter
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredSession> _sessions = new(StringComparer.Ordinal);
    /// <summary>
    /// The sessions, and those read back from disk whose clients have not come back: read without the lock on every publish,
    /// delivery and acknowledgement, which on a broker without persistent sessions (most stands) then take no lock at all.
    /// The profile of the fan-in bench found this lock contended by every publisher at once.
    /// </summary>
    private volatile int _count, _absent;
    private RetainedJournal? _journal;
    private long _sequence;
    private int _failureLogged;

    private RetainedJournal Journal => _journal ?? throw new InvalidOperationException("the session store is not open");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _journal = RetainedJournal.Open(data.File("sessions"), log);
        Load(_journal.Messages);
        log.LogInformation("Loaded {Count} persistent MQTT sessions", _sessions.Count);
        return Task.CompletedTask;
    }

    /// <summary>After the broker: what is queued is written before the process ends.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_journal is not null) await _journal.DisposeAsync();
    }

    private void Load(IReadOnlyList<RetainedRecord> records)
    {
        var now = time.GetUtcNow();
        foreach (var r in records.Where(r => r.Topic.StartsWith('s')))
        {
            var id = r.Topic[2..];
            var expiry = TimeSpan.FromTicks(BinaryPrimitives.ReadInt64LittleEndian(r.Payload));
            var at = BinaryPrimitives.ReadInt64LittleEndian(r.Payload.AsSpan(8));
            // Connected when the process ended: its absence counts from this start.
            // Only the user counts in a claim (SessionOwners); no right is taken from it.
            var claim = new BrokerPrincipal(r.Owner, Role.Viewer, []);
            _sessions[id] = new StoredSession(id, r.Owner, expiry)
            {
                ExpiresAt = at == 0 ? now + expiry : DateTimeOffset.FromUnixTimeMilliseconds(at),
                Claim = claim,
            };
            owners.TryClaim(id, claim);
        }
        Recount();
        foreach (var r in records.Where(r => !r.Topic.StartsWith('s')))
        {
            var parts = r.Topic.Split(Separator, 3);
            if (parts.Length != 3 || !_sessions.TryGetValue(parts[1], out var session)) continue;
            if (parts[0] == "f") session.Filters[parts[2]] = (MqttQualityOfServiceLevel)r.Qos;
            else if (parts[0] == "m")
            {
                var (topic, payload) = StoredSession.Decode(r.Payload);
                session.Queue[r.Topic] = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                    .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)r.Qos).WithContentType(r.ContentType)
                    .WithResponseTopic(r.ResponseTopic).WithMessageExpiryInterval(r.MessageExpiry).Build();
                _sequence = Math.Max(_sequence, long.Parse(parts[2], CultureInfo.InvariantCulture) + 1);
            }
        }
    }

    /// <summary>
    /// A persistent session's client has connected. Returns the session read back from disk that MQTTnet does not hold
    /// yet (its client's first connection since the start), for the caller to hand its subscriptions and queue to MQTTnet.
    /// </summary>
    public async Task<StoredSession?> ConnectedAsync(string clientId, string user, TimeSpan expiry)
    {
        StoredSession? restore = null;
        Task durable;
        lock (_gate)
        {
            if (!_sessions.TryGetValue(clientId, out var session)) _sessions[clientId] = session = new StoredSession(clientId, user, expiry);
            else if (!session.Live) restore = session;
            session.Live = true;
            session.User = user;
            session.Expiry = expiry;
            session.ExpiresAt = null;
            durable = WriteSession(session);
            Recount();
        }
        await Durable(durable);
        return restore;
    }

    public void Disconnected(string clientId, DateTimeOffset expiresAt)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(clientId, out var session)) return;
            session.ExpiresAt = expiresAt;
            // Not awaited: if it is lost, the session's absence counts from the next start, a little longer.
            _ = WriteSession(session);
        }
    }

    /// <summary>The session is gone (clean session, expiry, deletion): its records are deleted.</summary>
    public void Forget(string clientId)
    {
        lock (_gate)
        {
            if (!_sessions.Remove(clientId, out var session)) return;
            Recount();
            // A no-op once the user's connection has claimed the id again.
            if (session.Claim is { } claim) owners.Release(clientId, claim);
            foreach (var filter in session.Filters.Keys) _ = Delete(FilterKey(clientId, filter), session.User);
            foreach (var key in session.Queue.Keys) _ = Delete(key, session.User);
            _ = Delete(SessionKey(clientId), session.User);
        }
    }

    public Task SubscribedAsync(string clientId, string filter, MqttQualityOfServiceLevel qos)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(clientId, out var session)) return Task.CompletedTask;
            session.Filters[filter] = qos;
            return Durable(Append(new RetainedRecord(FilterKey(clientId, filter), session.User, [1], (byte)qos)));
        }
    }

    public void Unsubscribed(string clientId, string filter)
    {
        lock (_gate)
            if (_sessions.TryGetValue(clientId, out var session) && session.Filters.Remove(filter))
                _ = Delete(FilterKey(clientId, filter), session.User);
    }

    /// <summary>MQTTnet is queueing a message for a client: journaled if that client's session is persistent and it goes at QoS 1 or 2.</summary>
    public Task QueuedAsync(string clientId, MqttApplicationMessage message)
    {
        if (_count == 0) return Task.CompletedTask;
        lock (_gate)
            return _sessions.TryGetValue(clientId, out var session) && session.Live ? Durable(Enqueue(session, message)) : Task.CompletedTask;
    }

    /// <summary>
    /// A publish was accepted: queued for the sessions read back from disk whose clients have not come back since the
    /// start (MQTTnet does not hold them), when a subscription matches and the topic is not another user's private inbox.
    /// </summary>
    public Task QueueForAbsentAsync(MqttApplicationMessage message)
    {
        if (_absent == 0) return Task.CompletedTask;
        var writes = new List<Task>();
        lock (_gate)
            foreach (var session in _sessions.Values)
                if (!session.Live && !TopicAcl.IsPrivateOfAnother(message.Topic, session.User)) writes.Add(Enqueue(session, message));
        return Durable(Task.WhenAll(writes));
    }

    /// <summary>The client acknowledged (or MQTTnet dropped) a message: the oldest queued one with its topic and payload goes.</summary>
    public void Remove(string clientId, string topic, ReadOnlySequence<byte> payload)
    {
        if (_count == 0) return;
        lock (_gate)
        {
            if (!_sessions.TryGetValue(clientId, out var session)) return;
            var bytes = payload.ToArray();
            foreach (var (key, queued) in session.Queue)
            {
                if (queued.Topic != topic || !queued.Payload.ToArray().AsSpan().SequenceEqual(bytes)) continue;
                session.Queue.Remove(key);
                // Not awaited: if it is lost, the message is delivered once more after a restart, which QoS 1 allows.
                _ = Delete(key, session.User);
                return;
            }
        }
    }

    /// <summary>Sessions read back from disk whose clients have not come back before their expiry: forgotten, and their ids returned.</summary>
    public List<string> ForgetExpiredAbsent(DateTimeOffset now)
    {
        List<string> expired;
        lock (_gate) expired = [.. _sessions.Values.Where(s => !s.Live && s.ExpiresAt <= now).Select(s => s.ClientId)];
        foreach (var id in expired) Forget(id);
        return expired;
    }

    /// <summary>Under <see cref="_gate"/> (or before the broker starts), after the sessions changed.</summary>
    private void Recount() => (_count, _absent) = (_sessions.Count, _sessions.Values.Count(s => !s.Live));

    /// <summary>Under <see cref="_gate"/>. Beyond MaxPendingMessagesPerClient the oldest is dropped, as MQTTnet does with its queue.</summary>
    private Task Enqueue(StoredSession session, MqttApplicationMessage message)
    {
        if (session.DeliveryQos(message.Topic, message.QualityOfServiceLevel) is not { } qos || qos == MqttQualityOfServiceLevel.AtMostOnce)
            return Task.CompletedTask;
        while (session.Queue.Count >= options.MaxPendingMessagesPerClient)
        {
            var oldest = session.Queue.Keys.First();
            session.Queue.Remove(oldest);
            _ = Delete(oldest, session.User);
        }
        var key = $"m{Separator}{session.ClientId}{Separator}{_sequence++.ToString("D20", CultureInfo.InvariantCulture)}";
        var stored = new MqttApplicationMessageBuilder().WithTopic(message.Topic).WithPayload(message.Payload.ToArray())
            .WithQualityOfServiceLevel(qos).WithContentType(message.ContentType).WithResponseTopic(message.ResponseTopic)
            .WithMessageExpiryInterval(message.MessageExpiryInterval).Build();
        session.Queue[key] = stored;
        return Append(new RetainedRecord(key, session.User, StoredSession.Encode(stored), (byte)qos, message.ContentType,
            message.ResponseTopic, message.MessageExpiryInterval));
    }

    private Task WriteSession(StoredSession session)
    {
        var payload = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(payload, session.Expiry.Ticks);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), session.ExpiresAt?.ToUnixTimeMilliseconds() ?? 0);
        return Append(new RetainedRecord(SessionKey(session.ClientId), session.User, payload));
    }

    private Task Delete(string key, string user) => Append(new RetainedRecord(key, user, []));

    private Task Append(RetainedRecord record) => Journal.TryAppend(record) ?? Task.CompletedTask;

    /// <summary>
    /// A failed write leaves the session in memory only: the message is still delivered while the process runs, and
    /// the loss of durability is logged once (the journal refuses every later change until a restart).
    /// </summary>
    private async Task Durable(Task write)
    {
        try
        {
            await write;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            if (Interlocked.Exchange(ref _failureLogged, 1) == 0)
                log.LogError("Persistent MQTT sessions can no longer be saved ({Error}): they are kept in memory only until TrackerDcs restarts", e.Message);
        }
    }

    private static string SessionKey(string clientId) => $"s{Separator}{clientId}";
    private static string FilterKey(string clientId, string filter) => $"f{Separator}{clientId}{Separator}{filter}";
}
