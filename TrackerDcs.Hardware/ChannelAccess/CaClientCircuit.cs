using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using static TrackerDcs.Hardware.ChannelAccess.CaClientCircuitEvent;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// The socket of a TCP virtual circuit to one server, shared by every channel on that server. It connects,
/// feeds what it reads to the circuit's <see cref="CaClientCircuitState"/>, writes the messages the state
/// returns and hands its events to the channels and the client; a timer asks the state whether an ECHO is
/// due or the circuit is dead (<see cref="ChannelAccessOptions.ConnectionTimeout"/>,
/// <see cref="ChannelAccessOptions.EchoTimeout"/>). When the circuit ends, for any reason, its channels are
/// handed back to the client to be searched again. A name-server circuit (EPICS_CA_NAME_SERVERS) carries
/// SEARCH requests instead of channels.
/// </summary>
internal sealed class CaClientCircuit
{
    private readonly CaClient _client;
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly CaStream _stream;
    private readonly CancellationTokenSource _stop = new();
    /// <summary>Serialises calls into the state, and the sending of what each returned, so messages leave in the state's order.</summary>
    private readonly Lock _gate = new();
    private readonly CaClientCircuitState _state;
    private string? _abortReason;

    public CaClientCircuit(CaClient client, IPEndPoint server, bool isNameServer)
    {
        _client = client;
        Server = server;
        IsNameServer = isNameServer;
        _state = new CaClientCircuitState(server.ToString(), client.Options.ConnectionTimeout, client.Options.EchoTimeout, client.Time, client.Logger);
        _stream = new CaStream(_socket);
        // Queued now, sent once connected: the opening goes before any CREATE_CHAN.
        foreach (var message in _state.Open(client.HostName, client.ClientName)) _stream.Send(message);
        Completion = Task.Run(RunAsync);
    }

    public IPEndPoint Server { get; }
    public bool IsNameServer { get; }
    public Task Completion { get; }

    private ILogger Logger => _client.Logger;

    private async Task RunAsync()
    {
        var reason = "closed by the server";
        try
        {
            using (var connectTimeout = new CancellationTokenSource(_client.Options.ConnectionTimeout, _client.Time))
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, connectTimeout.Token))
                await _socket.ConnectAsync(Server, connect.Token);
            Logger.LogDebug("Circuit to {Server} connected", Server);
            lock (_gate) _state.Connected();
            var heartbeat = HeartbeatLoop();
            await _stream.RunAsync(OnReceived, _stop.Token);
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

    /// <summary>Asks the state, a few times per timeout, whether to send an ECHO or give the circuit up (libca's "unresponsive circuit").</summary>
    private async Task HeartbeatLoop()
    {
        var options = _client.Options;
        var tick = TimeSpan.FromTicks(Math.Min(options.EchoTimeout.Ticks, options.ConnectionTimeout.Ticks) / 4);
        using var timer = new PeriodicTimer(tick, _client.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                CaHeartbeat heartbeat;
                lock (_gate)
                {
                    heartbeat = _state.Heartbeat();
                    if (heartbeat == CaHeartbeat.SendEcho) _stream.Send(CaMessage.Echo());
                }
                if (heartbeat != CaHeartbeat.Unresponsive) continue;
                Abort($"no answer to an echo within {options.EchoTimeout.TotalSeconds} s");
                return;
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
        IReadOnlyList<uint> cids;
        lock (_gate) cids = _state.Close(reason);
        _stop.Cancel();
        await _stream.CloseAsync(TimeSpan.Zero);
        var channels = cids.Select(_client.ChannelOf).OfType<CaChannel>().ToList();
        if (channels.Count > 0)
            Logger.LogWarning("Circuit to {Server} ended ({Reason}); {Count} channel(s) will be searched again", Server, reason, channels.Count);
        else
            Logger.LogDebug("Circuit to {Server} ended ({Reason})", Server, reason);
        _client.OnCircuitClosed(this, channels);
    }

    /// <summary>Sends a message the state does not track (SEARCH on a name-server circuit).</summary>
    public void Send(CaMessage message)
    {
        lock (_gate) _stream.Send(message);
    }

    /// <summary>Adds a channel to this circuit (CREATE_CHAN); false when the circuit is already closing.</summary>
    public bool Attach(CaChannel channel) => Apply(state => state.Attach(channel.Cid, channel.Name));

    /// <summary>The application closed the channel: CLEAR_CHANNEL when the server had created it.</summary>
    public void Detach(CaChannel channel) => Apply(state => state.Detach(channel.Cid));

    /// <summary>EVENT_ADD now when the channel is connected, else with its CREATE_CHAN reply.</summary>
    public void Subscribe(CaChannel channel, CaSubscription subscription) =>
        Apply(state => state.Subscribe(channel.Cid, subscription.Id, subscription.Class, subscription.Mask));

    public void Unsubscribe(CaSubscription subscription) => Apply(state => state.Unsubscribe(subscription.Id));

    /// <summary>Calls the state and sends the message it returned, if any; returns whether there was one.</summary>
    private bool Apply(Func<CaClientCircuitState, CaMessage?> call)
    {
        lock (_gate)
        {
            if (call(_state) is not { } message) return false;
            _stream.Send(message);
            return true;
        }
    }

    /// <exception cref="CaException">ECA_DISCONN when the channel is no longer connected on this circuit, or the server's status for the read.</exception>
    public Task<CaMessage> ReadAsync(CaChannel channel, DbrType dbr, CancellationToken cancellationToken)
    {
        var ioid = _client.NextId();
        return RequestAsync(ioid, state => state.ReadNotify(channel.Cid, ioid, dbr), cancellationToken);
    }

    public Task<CaMessage> WriteNotifyAsync(CaChannel channel, DbrType dbr, uint count, byte[] payload, CancellationToken cancellationToken)
    {
        var ioid = _client.NextId();
        return RequestAsync(ioid, state => state.WriteNotify(channel.Cid, ioid, dbr, count, payload), cancellationToken);
    }

    public void Write(CaChannel channel, DbrType dbr, uint count, byte[] payload)
    {
        var ioid = _client.NextId();
        lock (_gate) _stream.Send(_state.Write(channel.Cid, ioid, dbr, count, payload));
    }

    /// <summary>Sends a request and waits for the reply carrying the same IOID; a caller who gives up leaves no entry behind.</summary>
    private async Task<CaMessage> RequestAsync(uint ioid, Func<CaClientCircuitState, (CaMessage Request, Task<CaMessage> Reply)> call, CancellationToken cancellationToken)
    {
        Task<CaMessage> reply;
        lock (_gate)
        {
            (var request, reply) = call(_state);
            _stream.Send(request);
        }
        try
        {
            return await reply.WaitAsync(cancellationToken);
        }
        finally
        {
            if (!reply.IsCompleted) lock (_gate) _state.Abandon(ioid);
        }
    }

    private void OnReceived(ReadOnlySpan<byte> data)
    {
        CaClientCircuitOutput output;
        lock (_gate)
        {
            output = _state.Receive(data);
            foreach (var message in output.Send) _stream.Send(message);
        }
        // Outside the lock: these reach channel locks and application handlers.
        foreach (var e in output.Events) Raise(e);
    }

    private void Raise(CaClientCircuitEvent e)
    {
        switch (e)
        {
            case SearchAnswered answered:
                _client.OnSearchReply(answered.Reply, Server.Address);
                break;
            case AccessRightsChanged rights:
                _client.ChannelOf(rights.Cid)?.OnAccessRights(rights.Rights);
                break;
            case ChannelConnected connected:
                _client.ChannelOf(connected.Cid)?.OnConnected(connected.NativeType, connected.ElementCount);
                break;
            case ChannelLost lost when _client.ChannelOf(lost.Cid) is { } channel:
                Logger.LogInformation("{Server}: {Command} for {Channel}", Server, lost.Cause, channel.Name);
                _client.OnChannelLost(channel);
                break;
            case MonitorUpdate update:
                _client.ChannelOf(update.Cid)?.Deliver(update.SubscriptionId, update.Update);
                break;
        }
    }
}
