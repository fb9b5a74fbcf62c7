using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// The socket of one TCP virtual circuit at the server: it feeds what it reads to the circuit's
/// <see cref="CaServerCircuitState"/> and writes the replies the state returns. Monitor updates raised on a
/// simulator thread go through the same state and are only queued, so they never block the reader.
/// </summary>
internal sealed class CaServerCircuit
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(1);
    private readonly CaServer _server;
    private readonly CaStream _stream;
    /// <summary>Serialises calls into the state, and the sending of what each returned, so messages leave in the state's order.</summary>
    private readonly Lock _gate = new();
    private readonly CaServerCircuitState _state;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CaServerCircuit(CaServer server, Socket socket)
    {
        _server = server;
        _stream = new CaStream(socket);
        _state = new CaServerCircuitState(server.Find, server.SearchReply, OnChanged, server.Logger, socket.RemoteEndPoint?.ToString() ?? "?");
    }

    public string ClientName
    {
        get { lock (_gate) return _state.ClientName; }
    }

    public string HostName
    {
        get { lock (_gate) return _state.HostName; }
    }

    public int ChannelCount
    {
        get { lock (_gate) return _state.ChannelCount; }
    }

    private string Peer
    {
        get { lock (_gate) return _state.Peer; }
    }

    public async Task RunAsync(CancellationToken token)
    {
        try
        {
            await _stream.RunAsync(OnReceived, token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        catch (CaProtocolException e)
        {
            _server.Logger.LogWarning("Closing the circuit from {Peer}: {Reason}", Peer, e.Message);
        }
        catch (Exception e)
        {
            _server.Logger.LogError(e, "Closing the circuit from {Peer} after an unexpected error", Peer);
        }
        finally
        {
            if (_stream.Overflowed)
                _server.Logger.LogWarning("Closed the circuit from {Peer}: it stopped reading ({Bytes} bytes queued)", Peer, CaStream.MaxQueuedBytes);
            lock (_gate) _state.ForgetAll();
            await _stream.CloseAsync(FlushTimeout);
            _closed.TrySetResult();
        }
    }

    /// <summary>Closes the circuit, after telling the client its channels are gone when asked to.</summary>
    public async Task CloseAsync(bool disconnectChannels)
    {
        if (disconnectChannels) Apply(state => state.Disconnect());
        await _stream.CloseAsync(FlushTimeout);
        await _closed.Task.WaitAsync(FlushTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>SERVER_DISCONN for every channel of the PV; returns how many there were.</summary>
    public int DisconnectChannels(string pvName) => Apply(state => state.Disconnect(pvName));

    private void OnReceived(ReadOnlySpan<byte> data)
    {
        CaServerCircuitOutput output;
        lock (_gate)
        {
            output = _state.Receive(data);
            Send(output.Send);
        }
        while (output.Put is { } put)
        {
            // Outside the lock: the put handler may update PVs, whose monitors come back through this circuit
            // from whatever thread the simulator publishes on.
            var result = put.Run();
            lock (_gate)
            {
                Send(_state.Complete(put, result));
                output = _state.Receive([]);
                Send(output.Send);
            }
        }
    }

    /// <summary>A subscribed PV posted monitor events, on the thread that updated it.</summary>
    private void OnChanged(uint sid, CaEventMask posted) => Apply(state => state.Publish(sid, posted));

    private int Apply(Func<CaServerCircuitState, List<CaMessage>> call)
    {
        lock (_gate)
        {
            var messages = call(_state);
            Send(messages);
            return messages.Count;
        }
    }

    private void Send(List<CaMessage> messages)
    {
        foreach (var message in messages) _stream.Send(message);
    }
}
