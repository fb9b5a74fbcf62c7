using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// The client end of a TCP virtual circuit to one server, shared by every channel on that server.
/// It opens with VERSION, HOST_NAME and CLIENT_NAME, creates channels, matches replies to requests by
/// IOID and updates to subscriptions by ID, and watches the connection: after
/// <see cref="ChannelAccessOptions.ConnectionTimeout"/> of silence it sends an ECHO, and a circuit whose
/// echo goes unanswered for <see cref="ChannelAccessOptions.EchoTimeout"/> is closed. When the circuit
/// ends, for any reason, its channels are handed back to the client to be searched again.
/// A name-server circuit (EPICS_CA_NAME_SERVERS) carries SEARCH requests instead of channels.
/// </summary>
internal sealed class CaClientCircuit
{
    private readonly CaClient _client;
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly CaStream _stream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, CaChannel> _channels = new();
    private readonly Dictionary<uint, (CaChannel Channel, TaskCompletionSource<CaMessage> Reply)> _pending = new();
    private readonly Dictionary<uint, CaSubscription> _subscriptions = new();
    private long _lastReceived = Environment.TickCount64;
    private long _echoSentAt; // 0: no echo outstanding
    private bool _closed;
    private string? _abortReason;

    public CaClientCircuit(CaClient client, IPEndPoint server, bool isNameServer)
    {
        _client = client;
        Server = server;
        IsNameServer = isNameServer;
        _stream = new CaStream(_socket);
        _stream.Send(CaMessage.Version());
        _stream.Send(CaMessage.HostName(client.HostName));
        _stream.Send(CaMessage.ClientName(client.ClientName));
        Completion = Task.Run(RunAsync);
    }

    public IPEndPoint Server { get; }
    /// <summary>The minor protocol version from the server's VERSION; 0 until it arrives (servers before v4.x send none).</summary>
    public ushort ServerMinorVersion { get; private set; }

    /// <summary>
    /// The data count to ask for: 0 means "the current element count" from v4.13 on (dynamic arrays);
    /// older servers answer it with ECA_BADCOUNT, so they are asked for the native count.
    /// </summary>
    public uint RequestCount(uint nativeCount) => ServerMinorVersion >= 13 ? 0 : nativeCount;
    public bool IsNameServer { get; }
    public Task Completion { get; }

    private ILogger Logger => _client.Logger;

    private async Task RunAsync()
    {
        var reason = "closed by the server";
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                connectTimeout.CancelAfter(_client.Options.ConnectionTimeout);
                await _socket.ConnectAsync(Server, connectTimeout.Token);
            }
            Logger.LogDebug("Circuit to {Server} connected", Server);
            _lastReceived = Environment.TickCount64;
            var heartbeat = HeartbeatLoop();
            await _stream.RunAsync(Handle, _stop.Token);
            _stop.Cancel();
            await heartbeat;
        }
        catch (OperationCanceledException) { reason = _stop.IsCancellationRequested ? "closed" : "connect timed out"; }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or CaProtocolException or CaException) { reason = e.Message; }
        catch (Exception e)
        {
            Logger.LogError(e, "Circuit to {Server} failed unexpectedly", Server);
            reason = e.Message;
        }
        finally
        {
            await Close(_abortReason ?? (_stream.Overflowed ? "the server stopped reading" : reason));
        }
    }

    /// <summary>"Echo": a silent circuit gets an ECHO; an unanswered echo ends it (libca's "unresponsive circuit").</summary>
    private async Task HeartbeatLoop()
    {
        var options = _client.Options;
        var tick = TimeSpan.FromTicks(Math.Min(options.EchoTimeout.Ticks, options.ConnectionTimeout.Ticks) / 4);
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = Environment.TickCount64;
                if (Interlocked.Read(ref _echoSentAt) is var sent and not 0)
                {
                    if (now - sent <= options.EchoTimeout.TotalMilliseconds) continue;
                    Abort($"no answer to an echo within {options.EchoTimeout.TotalSeconds} s");
                    return;
                }
                if (now - Interlocked.Read(ref _lastReceived) > options.ConnectionTimeout.TotalMilliseconds)
                {
                    Interlocked.Exchange(ref _echoSentAt, now);
                    _stream.Send(CaMessage.Echo());
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    public void Abort(string reason)
    {
        _abortReason ??= reason;
        _stop.Cancel();
        _socket.Dispose();
    }

    private async Task Close(string reason)
    {
        List<CaChannel> channels;
        List<TaskCompletionSource<CaMessage>> pending;
        lock (_gate)
        {
            _closed = true;
            channels = _channels.Values.ToList();
            pending = _pending.Values.Select(p => p.Reply).ToList();
            _channels.Clear();
            _pending.Clear();
            _subscriptions.Clear();
        }
        _stop.Cancel();
        await _stream.CloseAsync(TimeSpan.Zero);
        foreach (var request in pending)
            request.TrySetException(new CaException(CaStatus.Disconnected, $"circuit to {Server} ended: {reason}"));
        if (channels.Count > 0)
            Logger.LogWarning("Circuit to {Server} ended ({Reason}); {Count} channel(s) will be searched again", Server, reason, channels.Count);
        else
            Logger.LogDebug("Circuit to {Server} ended ({Reason})", Server, reason);
        _client.OnCircuitClosed(this, channels);
    }

    public void Send(CaMessage message) => _stream.Send(message);

    /// <summary>Adds a channel to this circuit (CREATE_CHAN); false when the circuit is already closing.</summary>
    public bool Attach(CaChannel channel)
    {
        lock (_gate)
        {
            if (_closed) return false;
            _channels[channel.Cid] = channel;
        }
        _stream.Send(CaMessage.CreateChannel(channel.Name, channel.Cid));
        return true;
    }

    /// <summary>CLEAR_CHANNEL for a channel being closed by the application.</summary>
    public void Detach(CaChannel channel, uint sid)
    {
        if (Remove(channel.Cid) is null) return;
        _stream.Send(CaMessage.ClearChannel(sid, channel.Cid));
    }

    public void Subscribe(CaSubscription subscription, uint sid, uint nativeCount)
    {
        lock (_gate) _subscriptions[subscription.Id] = subscription;
        _stream.Send(CaMessage.EventAdd(subscription.Dbr.Code, RequestCount(nativeCount), sid, subscription.Id, subscription.Mask));
    }

    public void Cancel(CaSubscription subscription, uint sid)
    {
        lock (_gate)
            if (!_subscriptions.Remove(subscription.Id)) return;
        _stream.Send(CaMessage.EventCancel(subscription.Dbr.Code, 0, sid, subscription.Id));
    }

    /// <summary>Sends a request and waits for the reply carrying the same IOID (READ_NOTIFY, WRITE_NOTIFY).</summary>
    public async Task<CaMessage> RequestAsync(CaChannel channel, CaMessage request, uint ioid, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<CaMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_closed) throw new CaException(CaStatus.Disconnected, $"circuit to {Server} is closed");
            _pending[ioid] = (channel, reply);
        }
        _stream.Send(request);
        try
        {
            return await reply.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            lock (_gate) _pending.Remove(ioid);
        }
    }

    private void Handle(CaMessage m)
    {
        Interlocked.Exchange(ref _lastReceived, Environment.TickCount64);
        Interlocked.Exchange(ref _echoSentAt, 0);
        var h = m.Header;
        switch (m.Command)
        {
            case CaCommand.Version:
                ServerMinorVersion = (ushort)h.DataCount;
                break;
            case CaCommand.Search:
                _client.OnSearchReply(m, Server.Address);
                break;
            case CaCommand.AccessRights:
                ChannelOf(h.Parameter1)?.OnAccessRights((CaAccessRights)h.Parameter2);
                break;
            case CaCommand.CreateChan:
                ChannelOf(h.Parameter1)?.OnConnected(this, h.Parameter2, (CaType)h.DataType, h.DataCount);
                break;
            case CaCommand.CreateChFail:
            case CaCommand.ServerDisconn:
                if (Remove(h.Parameter1) is { } lost)
                {
                    Logger.LogInformation("{Server}: {Command} for {Channel}", Server, m.Command, lost.Name);
                    _client.OnChannelLost(lost);
                }
                break;
            case CaCommand.ReadNotify:
            case CaCommand.WriteNotify:
                Complete(h.Parameter2, m);
                break;
            case CaCommand.EventAdd when m.Payload.Length > 0:
                SubscriptionOf(h.Parameter2)?.Deliver(m);
                break;
            case CaCommand.Error:
                OnError(m);
                break;
        }
    }

    /// <summary>CA_PROTO_ERROR: fails the request it names, or is logged when nobody waits for it.</summary>
    private void OnError(CaMessage m)
    {
        var request = m.ErrorRequest;
        var error = new CaException(m.Header.Parameter2, $"{CaStatus.Describe(m.Header.Parameter2)}: {m.ErrorText}");
        var waiting = request.Command is CaCommand.ReadNotify or CaCommand.WriteNotify ? Take(request.Parameter2) : null;
        if (waiting is not null) waiting.TrySetException(error);
        else Logger.LogWarning("{Server} refused {Command} on {Channel}: {Error}", Server, request.Command, ChannelOf(m.Header.Parameter1)?.Name ?? "?", error.Message);
    }

    private void Complete(uint ioid, CaMessage reply) => Take(ioid)?.TrySetResult(reply);

    private TaskCompletionSource<CaMessage>? Take(uint ioid)
    {
        lock (_gate) return _pending.Remove(ioid, out var waiting) ? waiting.Reply : null;
    }

    private CaChannel? ChannelOf(uint cid)
    {
        lock (_gate) return _channels.GetValueOrDefault(cid);
    }

    private CaSubscription? SubscriptionOf(uint id)
    {
        lock (_gate) return _subscriptions.GetValueOrDefault(id);
    }

    /// <summary>Forgets a channel and its subscriptions on this circuit; its outstanding requests fail with ECA_DISCONN.</summary>
    private CaChannel? Remove(uint cid)
    {
        List<TaskCompletionSource<CaMessage>> orphans;
        CaChannel? channel;
        lock (_gate)
        {
            if (!_channels.Remove(cid, out channel)) return null;
            foreach (var (id, _) in _subscriptions.Where(s => ReferenceEquals(s.Value.Channel, channel)).ToList())
                _subscriptions.Remove(id);
            var requests = _pending.Where(p => ReferenceEquals(p.Value.Channel, channel)).ToList();
            foreach (var (ioid, _) in requests) _pending.Remove(ioid);
            orphans = requests.Select(p => p.Value.Reply).ToList();
        }
        foreach (var orphan in orphans)
            orphan.TrySetException(new CaException(CaStatus.Disconnected, $"{channel.Name} was disconnected by {Server}"));
        return channel;
    }
}
