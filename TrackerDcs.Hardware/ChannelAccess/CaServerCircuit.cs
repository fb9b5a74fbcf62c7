using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// The server end of one TCP virtual circuit: the channels a client created on it and their
/// subscriptions. Requests are handled on the circuit's reader; monitor updates raised on a simulator
/// thread are only queued, so they never block it.
/// </summary>
internal sealed class CaServerCircuit(CaServer server, Socket socket)
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(1);
    private readonly CaStream _stream = new(socket);
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, ServedChannel> _channels = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _nextSid;
    private bool _eventsOff;
    private string _peer = socket.RemoteEndPoint?.ToString() ?? "?";

    public string ClientName { get; private set; } = "";
    public string HostName { get; private set; } = "";

    public int ChannelCount
    {
        get { lock (_gate) return _channels.Count; }
    }

    private sealed class ServedChannel(uint cid, uint sid, ProcessVariable pv)
    {
        public uint Cid { get; } = cid;
        public uint Sid { get; } = sid;
        public ProcessVariable Pv { get; } = pv;
        public Dictionary<uint, Subscription> Subscriptions { get; } = new();
        public Action<ProcessVariable>? OnChanged { get; set; }
    }

    private sealed class Subscription(uint id, DbrType dbr, uint count, CaEventMask mask)
    {
        public uint Id { get; } = id;
        public DbrType Dbr { get; } = dbr;
        public uint Count { get; } = count;
        public CaEventMask Mask { get; } = mask;
        public DbrValue? LastSent { get; set; }
        /// <summary>An update was held back while events were off.</summary>
        public bool Held { get; set; }
    }

    public async Task RunAsync(CancellationToken token)
    {
        try
        {
            await _stream.RunAsync(Handle, token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        catch (CaProtocolException e)
        {
            server.Logger.LogWarning("Closing the circuit from {Peer}: {Reason}", _peer, e.Message);
        }
        catch (Exception e)
        {
            server.Logger.LogError(e, "Closing the circuit from {Peer} after an unexpected error", _peer);
        }
        finally
        {
            if (_stream.Overflowed)
                server.Logger.LogWarning("Closed the circuit from {Peer}: it stopped reading ({Bytes} bytes queued)", _peer, CaStream.MaxQueuedBytes);
            ForgetAllChannels();
            await _stream.CloseAsync(FlushTimeout);
            _closed.TrySetResult();
        }
    }

    /// <summary>Closes the circuit, after telling the client its channels are gone when asked to.</summary>
    public async Task CloseAsync(bool disconnectChannels)
    {
        if (disconnectChannels)
            lock (_gate)
                foreach (var channel in _channels.Values.ToList()) Disconnect(channel);
        await _stream.CloseAsync(FlushTimeout);
        await _closed.Task.WaitAsync(FlushTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public int DisconnectChannels(string pvName)
    {
        lock (_gate)
        {
            var matching = _channels.Values.Where(c => c.Pv.Name == pvName).ToList();
            foreach (var channel in matching) Disconnect(channel);
            return matching.Count;
        }
    }

    private void Disconnect(ServedChannel channel)
    {
        Forget(channel);
        Send(CaMessage.ServerDisconnect(channel.Cid));
    }

    private void Send(CaMessage message) => _stream.Send(message);

    private void Handle(CaMessage m)
    {
        var h = m.Header;
        switch (m.Command)
        {
            case CaCommand.Version:
                Send(CaMessage.Version());
                break;
            case CaCommand.ClientName:
                ClientName = m.PayloadString;
                break;
            case CaCommand.HostName:
                HostName = m.PayloadString;
                _peer = $"{ClientName}@{HostName}";
                break;
            case CaCommand.Echo:
                Send(CaMessage.Echo());
                break;
            case CaCommand.Search:
                if (server.SearchReply(m) is { } reply) Send(reply);
                break;
            case CaCommand.EventsOff:
                lock (_gate) _eventsOff = true;
                break;
            case CaCommand.EventsOn:
                ResumeEvents();
                break;
            case CaCommand.CreateChan:
                CreateChannel(m.PayloadString, h.Parameter1);
                break;
            case CaCommand.ClearChannel:
                if (TryGetChannel(h.Parameter1, out var cleared))
                {
                    Forget(cleared);
                    Send(CaMessage.ClearChannel(h.Parameter1, h.Parameter2));
                }
                break;
            case CaCommand.ReadNotify:
                WithChannel(m, channel => { if (CountFits(channel, m)) Read(channel, h); });
                break;
            case CaCommand.Write:
            case CaCommand.WriteNotify:
                WithChannel(m, channel => Write(channel, m));
                break;
            case CaCommand.EventAdd:
                WithChannel(m, channel => { if (CountFits(channel, m)) Subscribe(channel, h, m.EventMask); });
                break;
            case CaCommand.EventCancel:
                WithChannel(m, channel => Unsubscribe(channel, h));
                break;
            default:
                server.Logger.LogDebug("Ignoring {Command} from {Peer}", m.Command, _peer);
                break;
        }
    }

    /// <summary>CREATE_CHAN: ACCESS_RIGHTS first, then the reply with native type and count (v4.4 and later).</summary>
    private void CreateChannel(string name, uint cid)
    {
        uint count;
        if (server.Find(name) is not { } pv)
        {
            Send(CaMessage.CreateChannelFailed(cid));
            return;
        }
        try { count = pv.ElementCount(); }
        catch (CaException e)
        {
            server.Logger.LogWarning("Cannot serve {Pv}: {Reason}", name, e.Message);
            Send(CaMessage.CreateChannelFailed(cid));
            return;
        }
        ServedChannel channel;
        lock (_gate)
        {
            channel = new ServedChannel(cid, ++_nextSid, pv);
            _channels[channel.Sid] = channel;
        }
        Send(CaMessage.AccessRights(cid, pv.Writable ? CaAccessRights.ReadWrite : CaAccessRights.Read));
        Send(CaMessage.CreateChannelReply(pv.Type, count, cid, channel.Sid));
    }

    private bool TryGetChannel(uint sid, out ServedChannel channel)
    {
        lock (_gate) return _channels.TryGetValue(sid, out channel!);
    }

    /// <summary>Requests naming an unknown SID, or an unknown DBR type, are answered with CA_PROTO_ERROR.</summary>
    private void WithChannel(CaMessage m, Action<ServedChannel> action)
    {
        if (!TryGetChannel(m.Header.Parameter1, out var channel))
        {
            Send(CaMessage.Error(m.Header, 0, CaStatus.BadChannelId, $"no channel with SID {m.Header.Parameter1}"));
            return;
        }
        if (!DbrType.TryFromCode(m.Header.DataType, out _))
        {
            Send(CaMessage.Error(m.Header, channel.Cid, CaStatus.BadType, $"DBR type {m.Header.DataType} is not supported"));
            return;
        }
        action(channel);
    }

    /// <summary>
    /// A read or subscription may ask for 0 (the current count, v4.13) up to the native count of elements;
    /// more is refused with ECA_BADCOUNT, as libca itself refuses it before sending.
    /// </summary>
    private bool CountFits(ServedChannel channel, CaMessage m)
    {
        uint native;
        try { native = channel.Pv.ElementCount(); }
        catch (CaException e)
        {
            Send(CaMessage.Error(m.Header, channel.Cid, e.Status, e.Message));
            return false;
        }
        if (m.Header.DataCount <= Math.Max(native, 1)) return true;
        Send(CaMessage.Error(m.Header, channel.Cid, CaStatus.BadCount, $"{channel.Pv.Name} has {native} elements, {m.Header.DataCount} were asked for"));
        return false;
    }

    /// <summary>READ_NOTIFY: p1 of the reply is the ECA status; on failure the payload is zeroed.</summary>
    private void Read(ServedChannel channel, CaHeader h)
    {
        var dbr = DbrType.FromCode(h.DataType);
        try
        {
            var (payload, count) = DbrCodec.Encode(dbr, channel.Pv.Read(), h.DataCount);
            Send(CaMessage.ReadNotifyReply(h.DataType, count, CaStatus.Normal, h.Parameter2, payload));
        }
        catch (CaException e)
        {
            var count = Math.Max(h.DataCount, 1);
            Send(CaMessage.ReadNotifyReply(h.DataType, count, e.Status, h.Parameter2, new byte[DbrCodec.PayloadSize(dbr, count)]));
        }
    }

    /// <summary>
    /// WRITE and WRITE_NOTIFY: the value goes through <see cref="ProcessVariable.Put"/>. WRITE_NOTIFY is
    /// answered with its status; a failed WRITE is reported with CA_PROTO_ERROR carrying the reason.
    /// </summary>
    private void Write(ServedChannel channel, CaMessage m)
    {
        var h = m.Header;
        var (status, reason) = Put(channel.Pv, m);
        if (m.Command == CaCommand.WriteNotify)
            Send(CaMessage.WriteNotifyReply(h.DataType, h.DataCount, status, h.Parameter2));
        else if (!CaStatus.IsSuccess(status))
            Send(CaMessage.Error(h, channel.Cid, status, reason ?? CaStatus.Describe(status)));
        if (reason is not null)
            server.Logger.LogInformation("Put to {Pv} from {Peer} refused: {Reason}", channel.Pv.Name, _peer, reason);
    }

    private static (uint Status, string? Reason) Put(ProcessVariable pv, CaMessage m)
    {
        if (!pv.Writable) return (CaStatus.NoWriteAccess, $"{pv.Name} is read-only");
        try
        {
            var value = pv.FromWire(DbrCodec.Decode(DbrType.FromCode(m.Header.DataType), m.Header.DataCount, m.Payload));
            return pv.Put(value) is { } refusal ? (CaStatus.PutFail, refusal) : (CaStatus.Normal, null);
        }
        catch (CaException e) { return (e.Status, e.Message); }
        catch (CaProtocolException e) { return (CaStatus.BadCount, e.Message); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (CaStatus.PutFail, e.Message);
        }
    }

    /// <summary>EVENT_ADD: the current value is sent at once, then on every change the mask selects.</summary>
    private void Subscribe(ServedChannel channel, CaHeader h, CaEventMask mask)
    {
        var subscription = new Subscription(h.Parameter2, DbrType.FromCode(h.DataType), h.DataCount,
            mask == CaEventMask.None ? CaEventMask.Value | CaEventMask.Alarm : mask);
        lock (_gate)
        {
            channel.Subscriptions[subscription.Id] = subscription;
            if (channel.OnChanged is null)
            {
                channel.OnChanged = _ => Publish(channel, initial: false);
                channel.Pv.Changed += channel.OnChanged;
            }
        }
        Publish(channel, initial: true, only: subscription);
    }

    /// <summary>EVENT_CANCEL is confirmed by an EVENT_ADD with no payload.</summary>
    private void Unsubscribe(ServedChannel channel, CaHeader h)
    {
        lock (_gate)
            if (!channel.Subscriptions.Remove(h.Parameter2)) return;
        Send(CaMessage.EventCancelReply(h.DataType, h.DataCount, channel.Sid, h.Parameter2));
    }

    /// <summary>Reads and queues under one lock, so updates from racing simulator threads leave in the order they were read.</summary>
    private void Publish(ServedChannel channel, bool initial, Subscription? only = null)
    {
        lock (_gate)
        {
            if (!_channels.ContainsKey(channel.Sid)) return;
            DbrValue value;
            try { value = channel.Pv.Read(); }
            catch (CaException e)
            {
                server.Logger.LogWarning("Monitor of {Pv} not sent: {Reason}", channel.Pv.Name, e.Message);
                return;
            }
            foreach (var s in only is null ? channel.Subscriptions.Values.ToList() : [only])
            {
                if (!initial && !Selects(s, value)) continue;
                if (_eventsOff)
                {
                    s.Held = true;
                    continue;
                }
                s.LastSent = value;
                try
                {
                    var (payload, count) = DbrCodec.Encode(s.Dbr, value, s.Count);
                    Send(CaMessage.EventAddReply(s.Dbr.Code, count, CaStatus.Normal, s.Id, payload));
                }
                catch (CaException e)
                {
                    var count = Math.Max(s.Count, 1);
                    Send(CaMessage.EventAddReply(s.Dbr.Code, count, e.Status, s.Id, new byte[DbrCodec.PayloadSize(s.Dbr, count)]));
                }
            }
        }
    }

    /// <summary>EVENTS_ON: every subscription that had an update held back gets the current value, once.</summary>
    private void ResumeEvents()
    {
        List<(ServedChannel Channel, Subscription Subscription)> held;
        lock (_gate)
        {
            _eventsOff = false;
            held = _channels.Values.SelectMany(c => c.Subscriptions.Values.Where(s => s.Held).Select(s => (c, s))).ToList();
            foreach (var (_, s) in held) s.Held = false;
        }
        foreach (var (channel, subscription) in held) Publish(channel, initial: true, only: subscription);
    }

    /// <summary>DBE_VALUE/DBE_LOG: the value changed; DBE_ALARM: severity or status changed.</summary>
    private static bool Selects(Subscription s, DbrValue value)
    {
        if (s.LastSent is not { } last) return true;
        var valueChanged = !ProcessVariableWire.SameValue(last.Values, value.Values);
        var alarmChanged = last.Severity != value.Severity || last.Status != value.Status;
        return (valueChanged && (s.Mask & (CaEventMask.Value | CaEventMask.Log)) != 0)
            || (alarmChanged && (s.Mask & CaEventMask.Alarm) != 0);
    }

    private void Forget(ServedChannel channel)
    {
        lock (_gate)
        {
            _channels.Remove(channel.Sid);
            if (channel.OnChanged is { } handler) channel.Pv.Changed -= handler;
            channel.OnChanged = null;
        }
    }

    private void ForgetAllChannels()
    {
        lock (_gate)
            foreach (var channel in _channels.Values.ToList()) Forget(channel);
    }
}
