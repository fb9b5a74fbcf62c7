using Microsoft.Extensions.Logging;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// The protocol state of the server end of one virtual circuit, with no I/O (as caproto's VirtualCircuit
/// keeps it): the client's names, the channels it created (SID → CID and PV), their subscriptions with the
/// last value each was sent, and flow control (EVENTS_OFF). <see cref="CaServerCircuit"/> feeds it the bytes
/// it reads and writes the replies it returns; a client's put comes back as a <see cref="CaServerPut"/> for the
/// caller to run outside its lock (the PV's put handler is simulator code), then <see cref="Complete"/> answers
/// it and handling goes on with the next request. A subscribed PV's <see cref="ProcessVariable.Posted"/> calls
/// <paramref name="changed"/> with the channel's SID and the events posted (the PV applies its MDEL/ADEL dead bands,
/// as an IOC record does), on the simulator's thread; the caller answers with <see cref="Publish"/>. Not thread-safe: the caller serialises every call, and sends what a call returned
/// before making the next, so updates leave in the order they were read; the updates a put causes leave
/// before its reply.
/// </summary>
/// <param name="find">The PV of a name, or null when the server does not host it.</param>
/// <param name="searchReply">The answer to a SEARCH (a client using this server as a name server), or null.</param>
internal sealed class CaServerCircuitState(
    Func<string, ProcessVariable?> find, Func<CaMessage, CaMessage?> searchReply, Action<uint, CaEventMask> changed, ILogger logger, string peer)
{
    private readonly CaMessageReader _reader = new();
    private readonly Dictionary<uint, ServedChannel> _channels = new();
    private uint _nextSid;
    private bool _eventsOff;
    /// <summary>A put handed out and not completed yet: the requests after it wait in the reader, in order.</summary>
    private CaServerPut? _pendingPut;

    private sealed class ServedChannel(uint cid, uint sid, ProcessVariable pv)
    {
        public uint Cid { get; } = cid;
        public uint Sid { get; } = sid;
        public ProcessVariable Pv { get; } = pv;
        public Dictionary<uint, Subscription> Subscriptions { get; } = new();
        public Action<ProcessVariable, CaEventMask>? OnPosted { get; set; }
    }

    private sealed class Subscription(uint id, DbrType dbr, uint count, CaEventMask mask)
    {
        public uint Id { get; } = id;
        public DbrType Dbr { get; } = dbr;
        public uint Count { get; } = count;
        public CaEventMask Mask { get; } = mask;
        /// <summary>An update was held back while events were off.</summary>
        public bool Held { get; set; }
    }

    public string ClientName { get; private set; } = "";
    public string HostName { get; private set; } = "";
    /// <summary>The client as logs name it: its address until HOST_NAME arrives, then "user@host".</summary>
    public string Peer { get; private set; } = peer;
    public int ChannelCount => _channels.Count;

    /// <summary>
    /// Takes in bytes read from the circuit, in pieces of any size, and handles the complete requests up to the
    /// first put (WRITE, WRITE_NOTIFY), which it returns for the caller to run; after <see cref="Complete"/>, an
    /// empty call handles the requests that came after it.
    /// </summary>
    /// <exception cref="CaProtocolException">The client sent something that is not CA.</exception>
    public CaServerCircuitOutput Receive(ReadOnlySpan<byte> bytes)
    {
        var output = new CaServerCircuitOutput();
        _reader.Append(bytes);
        while (_pendingPut is null && _reader.TryRead(out var message)) Handle(message, output.Send);
        output.Put = _pendingPut;
        return output;
    }

    private void Handle(CaMessage m, List<CaMessage> send)
    {
        var h = m.Header;
        switch (m.Command)
        {
            case CaCommand.Version:
                send.Add(CaMessage.Version());
                break;
            case CaCommand.ClientName:
                ClientName = m.PayloadString;
                break;
            case CaCommand.HostName:
                HostName = m.PayloadString;
                Peer = $"{ClientName}@{HostName}";
                break;
            case CaCommand.Echo:
                send.Add(CaMessage.Echo());
                break;
            case CaCommand.Search:
                if (searchReply(m) is { } reply) send.Add(reply);
                break;
            case CaCommand.EventsOff:
                _eventsOff = true;
                break;
            case CaCommand.EventsOn:
                ResumeEvents(send);
                break;
            case CaCommand.CreateChan:
                CreateChannel(m.PayloadString, h.Parameter1, send);
                break;
            case CaCommand.ClearChannel:
                if (_channels.TryGetValue(h.Parameter1, out var cleared))
                {
                    Forget(cleared);
                    send.Add(CaMessage.ClearChannel(h.Parameter1, h.Parameter2));
                }
                break;
            case CaCommand.ReadNotify:
                if (ChannelFor(m, send) is { } read && CountFits(read, m, send)) Read(read, h, send);
                break;
            case CaCommand.Write:
            case CaCommand.WriteNotify:
                if (ChannelFor(m, send, put: true) is { } written) _pendingPut = new CaServerPut(written.Cid, written.Pv, m);
                break;
            case CaCommand.EventAdd:
                if (ChannelFor(m, send) is { } monitored && CountFits(monitored, m, send)) Subscribe(monitored, h, m.EventMask, send);
                break;
            case CaCommand.EventCancel:
                if (ChannelFor(m, send) is { } cancelled) Unsubscribe(cancelled, h, send);
                break;
            default:
                logger.LogDebug("Ignoring {Command} from {Peer}", m.Command, Peer);
                break;
        }
    }

    /// <summary>CREATE_CHAN: ACCESS_RIGHTS first, then the reply with native type and count (v4.4 and later).</summary>
    private void CreateChannel(string name, uint cid, List<CaMessage> send)
    {
        uint count;
        if (find(name) is not { } pv)
        {
            send.Add(CaMessage.CreateChannelFailed(cid));
            return;
        }
        try { count = pv.ElementCount(); }
        catch (CaException e)
        {
            logger.LogWarning("Cannot serve {Pv}: {Reason}", name, e.Message);
            send.Add(CaMessage.CreateChannelFailed(cid));
            return;
        }
        var channel = new ServedChannel(cid, ++_nextSid, pv);
        _channels[channel.Sid] = channel;
        send.Add(CaMessage.AccessRights(cid, pv.Writable ? CaAccessRights.ReadWrite : CaAccessRights.Read));
        send.Add(CaMessage.CreateChannelReply(pv.Type, count, cid, channel.Sid));
    }

    /// <summary>
    /// Requests naming an unknown SID, or an unknown DBR type, are answered with CA_PROTO_ERROR. A put may also carry
    /// DBR_PUT_ACKT or DBR_PUT_ACKS, an alarm handler's acknowledgement.
    /// </summary>
    private ServedChannel? ChannelFor(CaMessage m, List<CaMessage> send, bool put = false)
    {
        if (!_channels.TryGetValue(m.Header.Parameter1, out var channel))
        {
            send.Add(CaMessage.Error(m.Header, 0, CaStatus.BadChannelId, $"no channel with SID {m.Header.Parameter1}"));
            return null;
        }
        if (!DbrType.TryFromCode(m.Header.DataType, out _) && !(put && m.Header.DataType is DbrType.PutAckTransient or DbrType.PutAckSeverity))
        {
            send.Add(CaMessage.Error(m.Header, channel.Cid, CaStatus.BadType, $"DBR type {m.Header.DataType} is not supported"));
            return null;
        }
        return channel;
    }

    /// <summary>
    /// A read or subscription may ask for 0 (the current count, v4.13) up to the native count of elements;
    /// more is refused with ECA_BADCOUNT, as libca itself refuses it before sending.
    /// </summary>
    private static bool CountFits(ServedChannel channel, CaMessage m, List<CaMessage> send)
    {
        uint native;
        try { native = channel.Pv.ElementCount(); }
        catch (CaException e)
        {
            send.Add(CaMessage.Error(m.Header, channel.Cid, e.Status, e.Message));
            return false;
        }
        if (m.Header.DataCount <= Math.Max(native, 1)) return true;
        send.Add(CaMessage.Error(m.Header, channel.Cid, CaStatus.BadCount, $"{channel.Pv.Name} has {native} elements, {m.Header.DataCount} were asked for"));
        return false;
    }

    /// <summary>READ_NOTIFY: p1 of the reply is the ECA status; on failure the payload is zeroed.</summary>
    private static void Read(ServedChannel channel, CaHeader h, List<CaMessage> send)
    {
        var dbr = DbrType.FromCode(h.DataType);
        try
        {
            var (payload, count) = DbrCodec.Encode(dbr, channel.Pv.Read(), h.DataCount);
            send.Add(CaMessage.ReadNotifyReply(h.DataType, count, CaStatus.Normal, h.Parameter2, payload));
        }
        catch (CaException e)
        {
            var count = Math.Max(h.DataCount, 1);
            send.Add(CaMessage.ReadNotifyReply(h.DataType, count, e.Status, h.Parameter2, new byte[DbrCodec.PayloadSize(dbr, count)]));
        }
    }

    /// <summary>
    /// The put handed out by <see cref="Receive"/> was run: WRITE_NOTIFY is answered with its status; a failed
    /// WRITE is reported with CA_PROTO_ERROR carrying the reason.
    /// </summary>
    public List<CaMessage> Complete(CaServerPut put, (uint Status, string? Reason) result)
    {
        if (put != _pendingPut) throw new InvalidOperationException("not the put this circuit handed out");
        _pendingPut = null;
        var send = new List<CaMessage>();
        var (h, (status, reason)) = (put.Request.Header, result);
        if (put.Request.Command == CaCommand.WriteNotify)
            send.Add(CaMessage.WriteNotifyReply(h.DataType, h.DataCount, status, h.Parameter2));
        else if (!CaStatus.IsSuccess(status))
            send.Add(CaMessage.Error(h, put.Cid, status, reason ?? CaStatus.Describe(status)));
        if (reason is not null)
            logger.LogInformation("Put to {Pv} from {Peer} refused: {Reason}", put.Pv.Name, Peer, reason);
        return send;
    }

    /// <summary>EVENT_ADD: the current value is sent at once, then on every change the mask selects.</summary>
    private void Subscribe(ServedChannel channel, CaHeader h, CaEventMask mask, List<CaMessage> send)
    {
        var subscription = new Subscription(h.Parameter2, DbrType.FromCode(h.DataType), h.DataCount,
            mask == CaEventMask.None ? CaEventMask.Value | CaEventMask.Alarm : mask);
        channel.Subscriptions[subscription.Id] = subscription;
        if (channel.OnPosted is null)
        {
            var sid = channel.Sid;
            channel.OnPosted = (_, posted) => changed(sid, posted);
            channel.Pv.Posted += channel.OnPosted;
        }
        Publish(channel, CaEventMask.None, only: subscription, send);
    }

    /// <summary>EVENT_CANCEL is confirmed by an EVENT_ADD with no payload.</summary>
    private static void Unsubscribe(ServedChannel channel, CaHeader h, List<CaMessage> send)
    {
        if (channel.Subscriptions.Remove(h.Parameter2))
            send.Add(CaMessage.EventCancelReply(h.DataType, h.DataCount, channel.Sid, h.Parameter2));
    }

    /// <summary>The PV of channel <paramref name="sid"/> posted events: the updates its subscriptions' masks select (none once it is forgotten).</summary>
    public List<CaMessage> Publish(uint sid, CaEventMask posted)
    {
        var send = new List<CaMessage>();
        if (_channels.TryGetValue(sid, out var channel)) Publish(channel, posted, only: null, send);
        return send;
    }

    /// <param name="posted">The events the PV posted; <see cref="CaEventMask.None"/> sends to every subscription given (a first or held-back update).</param>
    private void Publish(ServedChannel channel, CaEventMask posted, Subscription? only, List<CaMessage> send)
    {
        DbrValue value;
        try { value = channel.Pv.Read(); }
        catch (CaException e)
        {
            logger.LogWarning("Monitor of {Pv} not sent: {Reason}", channel.Pv.Name, e.Message);
            return;
        }
        IEnumerable<Subscription> subscriptions = only is null ? channel.Subscriptions.Values : [only];
        foreach (var s in subscriptions)
        {
            if (posted != CaEventMask.None && (s.Mask & posted) == 0) continue;
            if (_eventsOff)
            {
                s.Held = true;
                continue;
            }
            try
            {
                var (payload, count) = DbrCodec.Encode(s.Dbr, value, s.Count);
                send.Add(CaMessage.EventAddReply(s.Dbr.Code, count, CaStatus.Normal, s.Id, payload));
            }
            catch (CaException e)
            {
                var count = Math.Max(s.Count, 1);
                send.Add(CaMessage.EventAddReply(s.Dbr.Code, count, e.Status, s.Id, new byte[DbrCodec.PayloadSize(s.Dbr, count)]));
            }
        }
    }

    /// <summary>EVENTS_ON: every subscription that had an update held back gets the current value, once.</summary>
    private void ResumeEvents(List<CaMessage> send)
    {
        _eventsOff = false;
        foreach (var channel in _channels.Values)
        foreach (var held in channel.Subscriptions.Values.Where(s => s.Held))
        {
            held.Held = false;
            Publish(channel, CaEventMask.None, only: held, send);
        }
    }

    /// <summary>SERVER_DISCONN for every channel of <paramref name="pvName"/> (every channel when null), which are then forgotten.</summary>
    public List<CaMessage> Disconnect(string? pvName = null)
    {
        var send = new List<CaMessage>();
        foreach (var channel in _channels.Values.Where(c => pvName is null || c.Pv.Name == pvName).ToList())
        {
            Forget(channel);
            send.Add(CaMessage.ServerDisconnect(channel.Cid));
        }
        return send;
    }

    /// <summary>The circuit ended: every channel is forgotten and no PV calls back any more.</summary>
    public void ForgetAll()
    {
        foreach (var channel in _channels.Values.ToList()) Forget(channel);
    }

    private void Forget(ServedChannel channel)
    {
        _channels.Remove(channel.Sid);
        if (channel.OnPosted is { } handler) channel.Pv.Posted -= handler;
        channel.OnPosted = null;
    }
}

/// <summary>What one <see cref="CaServerCircuitState.Receive"/> produced: replies to send in this order, then perhaps a put to run.</summary>
internal sealed class CaServerCircuitOutput
{
    public List<CaMessage> Send { get; } = [];
    public CaServerPut? Put { get; set; }
}

/// <summary>
/// A client's WRITE or WRITE_NOTIFY on channel <paramref name="Cid"/>. <see cref="Run"/> sends the value through
/// <see cref="ProcessVariable.Put"/>, whose handler is the simulator's: the circuit runs it outside its lock.
/// </summary>
internal sealed record CaServerPut(uint Cid, ProcessVariable Pv, CaMessage Request)
{
    public (uint Status, string? Reason) Run()
    {
        if (!Pv.Writable) return (CaStatus.NoWriteAccess, $"{Pv.Name} is read-only");
        if (Request.Header.DataType is DbrType.PutAckTransient or DbrType.PutAckSeverity) return Acknowledge();
        try
        {
            var value = Pv.FromWire(DbrCodec.Decode(DbrType.FromCode(Request.Header.DataType), Request.Header.DataCount, Request.Payload));
            return Pv.Put(value) is { } refusal ? (CaStatus.PutFail, refusal) : (CaStatus.Normal, null);
        }
        catch (CaException e) { return (e.Status, e.Message); }
        catch (CaProtocolException e) { return (CaStatus.BadCount, e.Message); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (CaStatus.PutFail, e.Message);
        }
    }

    /// <summary>DBR_PUT_ACKT / DBR_PUT_ACKS carry one ushort (db_access.h dbr_put_ackt_t, dbr_put_acks_t).</summary>
    private (uint Status, string? Reason) Acknowledge()
    {
        if (Request.Payload.Length < 2) return (CaStatus.BadCount, $"an acknowledgement of {Pv.Name} without its value");
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(Request.Payload);
        if (Request.Header.DataType == DbrType.PutAckTransient) Pv.AcknowledgeTransients(value != 0);
        else if (value > (ushort)AlarmSeverity.Invalid) return (CaStatus.PutFail, $"{value} is not an alarm severity");
        else Pv.Acknowledge((AlarmSeverity)value);
        return (CaStatus.Normal, null);
    }
}
