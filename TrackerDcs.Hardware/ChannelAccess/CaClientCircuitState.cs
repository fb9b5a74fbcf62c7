using Microsoft.Extensions.Logging;
using static TrackerDcs.Hardware.ChannelAccess.CaClientCircuitEvent;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// The protocol state of the client end of one virtual circuit, with no I/O (as caproto's VirtualCircuit
/// keeps it): the channels created on it (CID → SID, native type and count), their subscriptions, the
/// requests waiting for a reply by IOID, the server's minor version, and the echo timing on an injected
/// clock. <see cref="CaClientCircuit"/> feeds it the bytes it reads and the application's requests,
/// writes the messages it returns and raises the events it returns. Not thread-safe: the caller
/// serialises every call, and sends what a call returned before making the next.
/// </summary>
internal sealed class CaClientCircuitState(string server, TimeSpan connectionTimeout, TimeSpan echoTimeout, TimeProvider time, ILogger logger)
{
    private readonly CaMessageReader _reader = new();
    private readonly Dictionary<uint, ChannelEntry> _channels = new();
    private readonly Dictionary<uint, SubscriptionEntry> _subscriptions = new();
    private readonly Dictionary<uint, PendingRequest> _pending = new();
    private long _lastReceived = time.GetTimestamp();
    private long? _echoSentAt;
    private bool _closed;

    private sealed class ChannelEntry(uint cid, string name)
    {
        public uint Cid { get; } = cid;
        public string Name { get; } = name;
        /// <summary>Set by the CREATE_CHAN reply; until then the channel has no SID and nothing can be asked of it.</summary>
        public uint? Sid { get; set; }
        public CaType NativeType { get; set; }
        public uint ElementCount { get; set; }
        public List<SubscriptionEntry> Subscriptions { get; } = [];
    }

    private sealed record SubscriptionEntry(uint Id, ChannelEntry Channel, DbrClass Class, CaEventMask Mask)
    {
        /// <summary>The type asked for by the EVENT_ADD sent (native type × class); null before it was sent.</summary>
        public DbrType? Dbr { get; set; }
    }

    private sealed record PendingRequest(ChannelEntry Channel, TaskCompletionSource<CaMessage> Reply);

    /// <summary>The minor protocol version from the server's VERSION; 0 until it arrives (servers before v4.x send none).</summary>
    public ushort ServerMinorVersion { get; private set; }

    /// <summary>
    /// The data count to ask for: 0 means "the current element count" from v4.13 on (dynamic arrays);
    /// older servers answer it with ECA_BADCOUNT, so they are asked for the native count.
    /// </summary>
    private uint RequestCount(uint nativeCount) => ServerMinorVersion >= 13 ? 0 : nativeCount;

    /// <summary>The opening of every circuit: VERSION (our minor version), HOST_NAME, CLIENT_NAME.</summary>
    public CaMessage[] Open(string hostName, string clientName) =>
        [CaMessage.Version(), CaMessage.HostName(hostName), CaMessage.ClientName(clientName)];

    /// <summary>The TCP connection is up: the silence that leads to an echo is counted from now.</summary>
    public void Connected() => _lastReceived = time.GetTimestamp();

    /// <summary>CREATE_CHAN for a channel; null once the circuit is closed.</summary>
    public CaMessage? Attach(uint cid, string name)
    {
        if (_closed) return null;
        _channels[cid] = new ChannelEntry(cid, name);
        return CaMessage.CreateChannel(name, cid);
    }

    /// <summary>
    /// The application closed a channel: it is forgotten with its subscriptions, its requests fail, and the
    /// server is told with CLEAR_CHANNEL when it had created the channel.
    /// </summary>
    public CaMessage? Detach(uint cid) =>
        Remove(cid, "closed") is { Sid: { } sid } ? CaMessage.ClearChannel(sid, cid) : null;

    /// <summary>
    /// Records a subscription of a channel attached to this circuit. Its EVENT_ADD (the channel's native type in
    /// the subscription's class) is returned at once when the channel is connected, else it is sent with the
    /// CREATE_CHAN reply; so are those of a channel that comes back on a new circuit.
    /// </summary>
    public CaMessage? Subscribe(uint cid, uint subscriptionId, DbrClass dbrClass, CaEventMask mask)
    {
        if (_closed || !_channels.TryGetValue(cid, out var channel)) return null;
        var subscription = new SubscriptionEntry(subscriptionId, channel, dbrClass, mask);
        _subscriptions[subscriptionId] = subscription;
        channel.Subscriptions.Add(subscription);
        return channel.Sid is null ? null : EventAdd(subscription);
    }

    /// <summary>EVENT_CANCEL for a subscription whose EVENT_ADD was sent; its updates still in flight are dropped.</summary>
    public CaMessage? Unsubscribe(uint subscriptionId)
    {
        if (!_subscriptions.Remove(subscriptionId, out var subscription)) return null;
        var channel = subscription.Channel;
        channel.Subscriptions.Remove(subscription);
        return subscription.Dbr is { } dbr && channel.Sid is { } sid ? CaMessage.EventCancel(dbr.Code, 0, sid, subscriptionId) : null;
    }

    private CaMessage EventAdd(SubscriptionEntry subscription)
    {
        var channel = subscription.Channel;
        var dbr = new DbrType(channel.NativeType, subscription.Class);
        subscription.Dbr = dbr;
        return CaMessage.EventAdd(dbr.Code, RequestCount(channel.ElementCount), channel.Sid!.Value, subscription.Id, subscription.Mask);
    }

    /// <summary>READ_NOTIFY; the task completes with the reply that carries the same IOID, or fails with the error that names it.</summary>
    /// <exception cref="CaException">ECA_DISCONN: the circuit is closed or the channel is not connected on it.</exception>
    public (CaMessage Request, Task<CaMessage> Reply) ReadNotify(uint cid, uint ioid, DbrType dbr)
    {
        var channel = ConnectedChannel(cid);
        return (CaMessage.ReadNotify(dbr.Code, RequestCount(channel.ElementCount), channel.Sid!.Value, ioid), Await(channel, ioid));
    }

    /// <summary>WRITE_NOTIFY; the task completes with the reply that carries the same IOID.</summary>
    /// <exception cref="CaException">ECA_DISCONN: the circuit is closed or the channel is not connected on it.</exception>
    public (CaMessage Request, Task<CaMessage> Reply) WriteNotify(uint cid, uint ioid, DbrType dbr, uint count, byte[] payload)
    {
        var channel = ConnectedChannel(cid);
        return (CaMessage.WriteNotify(dbr.Code, count, channel.Sid!.Value, ioid, payload), Await(channel, ioid));
    }

    /// <summary>WRITE: nothing waits for it; a failure comes back as CA_PROTO_ERROR and is logged.</summary>
    /// <exception cref="CaException">ECA_DISCONN: the circuit is closed or the channel is not connected on it.</exception>
    public CaMessage Write(uint cid, uint ioid, DbrType dbr, uint count, byte[] payload) =>
        CaMessage.Write(dbr.Code, count, ConnectedChannel(cid).Sid!.Value, ioid, payload);

    /// <summary>Nobody waits for this IOID any more (the caller cancelled): a late reply is dropped.</summary>
    public void Abandon(uint ioid) => _pending.Remove(ioid);

    private ChannelEntry ConnectedChannel(uint cid)
    {
        if (_closed) throw new CaException(CaStatus.Disconnected, $"circuit to {server} is closed");
        return _channels.TryGetValue(cid, out var channel) && channel.Sid is not null
            ? channel
            : throw new CaException(CaStatus.Disconnected, $"channel {cid} is not connected on the circuit to {server}");
    }

    /// <remarks>The continuations run asynchronously, so completing a reply never runs a caller's code inside this call.</remarks>
    private Task<CaMessage> Await(ChannelEntry channel, uint ioid)
    {
        var reply = new TaskCompletionSource<CaMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[ioid] = new PendingRequest(channel, reply);
        return reply.Task;
    }

    /// <summary>
    /// Takes in bytes read from the circuit, in pieces of any size: every complete message is handled (a
    /// partial one waits for the rest). Replies complete their requests here; the rest becomes events.
    /// </summary>
    /// <exception cref="CaProtocolException">The server sent something that is not CA, or a second CREATE_CHAN reply.</exception>
    public CaClientCircuitOutput Receive(ReadOnlySpan<byte> bytes)
    {
        var output = new CaClientCircuitOutput();
        if (_closed || bytes.IsEmpty) return output;
        // Anything heard from the server shows the circuit is alive and answers an outstanding echo.
        _lastReceived = time.GetTimestamp();
        _echoSentAt = null;
        _reader.Append(bytes);
        while (_reader.TryRead(out var message)) Handle(message, output);
        return output;
    }

    private void Handle(CaMessage m, CaClientCircuitOutput output)
    {
        var h = m.Header;
        switch (m.Command)
        {
            case CaCommand.Version:
                ServerMinorVersion = (ushort)h.DataCount;
                break;
            case CaCommand.Search:
                output.Events.Add(new SearchAnswered(m));
                break;
            case CaCommand.AccessRights when _channels.ContainsKey(h.Parameter1):
                output.Events.Add(new AccessRightsChanged(h.Parameter1, (CaAccessRights)h.Parameter2));
                break;
            case CaCommand.CreateChan when _channels.TryGetValue(h.Parameter1, out var channel):
                if (channel.Sid is not null) throw new CaProtocolException($"server fault: a second CREATE_CHAN reply for {channel.Name}");
                (channel.Sid, channel.NativeType, channel.ElementCount) = (h.Parameter2, (CaType)h.DataType, h.DataCount);
                foreach (var subscription in channel.Subscriptions) output.Send.Add(EventAdd(subscription));
                output.Events.Add(new ChannelConnected(channel.Cid, channel.NativeType, channel.ElementCount));
                break;
            case CaCommand.CreateChFail:
            case CaCommand.ServerDisconn:
                if (Remove(h.Parameter1, $"disconnected by {server}") is not null) output.Events.Add(new ChannelLost(h.Parameter1, m.Command));
                break;
            case CaCommand.ReadNotify:
            case CaCommand.WriteNotify:
                // p2 is the IOID; a reply nobody waits for (the request was cancelled) is dropped.
                if (_pending.Remove(h.Parameter2, out var request)) request.Reply.TrySetResult(m);
                break;
            case CaCommand.EventAdd when m.Payload.Length > 0 && _subscriptions.TryGetValue(h.Parameter2, out var subscription):
                output.Events.Add(new MonitorUpdate(subscription.Channel.Cid, subscription.Id, m));
                break;
            case CaCommand.Error:
                OnError(m);
                break;
        }
    }

    /// <summary>CA_PROTO_ERROR: fails the request it names, or is logged when nobody waits for it (a WRITE, an EVENT_ADD).</summary>
    private void OnError(CaMessage m)
    {
        var request = m.ErrorRequest;
        var error = new CaException(m.Header.Parameter2, $"{CaStatus.Describe(m.Header.Parameter2)}: {m.ErrorText}");
        if (request.Command is CaCommand.ReadNotify or CaCommand.WriteNotify && _pending.Remove(request.Parameter2, out var waiting))
            waiting.Reply.TrySetException(error);
        else
            logger.LogWarning("{Server} refused {Command} on {Channel}: {Error}", server, request.Command,
                _channels.GetValueOrDefault(m.Header.Parameter1)?.Name ?? "?", error.Message);
    }

    /// <summary>
    /// "Echo" (EPICS_CA_CONN_TMO): called periodically. A circuit silent for the connection timeout is to be sent
    /// an ECHO; one whose echo stays unanswered for the echo timeout is unresponsive and must be closed.
    /// </summary>
    public CaHeartbeat Heartbeat()
    {
        var now = time.GetTimestamp();
        if (_echoSentAt is { } sent)
            return time.GetElapsedTime(sent, now) >= echoTimeout ? CaHeartbeat.Unresponsive : CaHeartbeat.Alive;
        if (time.GetElapsedTime(_lastReceived, now) < connectionTimeout) return CaHeartbeat.Alive;
        _echoSentAt = now;
        return CaHeartbeat.SendEcho;
    }

    /// <summary>
    /// The circuit ended: every waiting request fails with ECA_DISCONN naming <paramref name="reason"/>, and the
    /// CIDs of its channels are returned, to be searched again. Nothing is accepted afterwards.
    /// </summary>
    public IReadOnlyList<uint> Close(string reason)
    {
        _closed = true;
        var cids = _channels.Keys.ToList();
        var pending = _pending.Values.ToList();
        _channels.Clear();
        _subscriptions.Clear();
        _pending.Clear();
        foreach (var request in pending)
            request.Reply.TrySetException(new CaException(CaStatus.Disconnected, $"circuit to {server} ended: {reason}"));
        return cids;
    }

    /// <summary>Forgets a channel and its subscriptions; its requests fail with ECA_DISCONN ("{name} was {why}").</summary>
    private ChannelEntry? Remove(uint cid, string why)
    {
        if (!_channels.Remove(cid, out var channel)) return null;
        foreach (var subscription in channel.Subscriptions) _subscriptions.Remove(subscription.Id);
        foreach (var (ioid, request) in _pending.Where(p => p.Value.Channel == channel).ToList())
        {
            _pending.Remove(ioid);
            request.Reply.TrySetException(new CaException(CaStatus.Disconnected, $"{channel.Name} was {why}"));
        }
        return channel;
    }
}
