using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrackerDcs.Hardware.Modbus;

/// <summary>
/// A small Modbus TCP server over an <see cref="IModbusRegisterBank"/> (functions 0x03 and 0x10), for the
/// simulators: several clients at once, each request answered in order on its own connection. A request the
/// server must refuse gets its exception response (section 7); bytes that are not Modbus TCP close that client's
/// connection. Two faults can be injected: <see cref="Answering"/> false (requests are read and never answered,
/// as a PLC that hangs with its socket open) and <see cref="DropClients"/> (every connection closed at once).
/// </summary>
public sealed class ModbusTcpServer : IAsyncDisposable
{
    private readonly IModbusRegisterBank _bank;
    private readonly byte? _unitId;
    private readonly ILogger _logger;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly Lock _gate = new();
    private readonly Dictionary<TcpClient, Task> _clients = [];
    private volatile bool _answering = true;
    private long _requests;

    /// <param name="address">Where to listen; the simulators pass 127.0.0.1 (a demo must never answer for a plant on the lab network).</param>
    /// <param name="port">0 lets the system pick a free port (see <see cref="EndPoint"/>).</param>
    /// <param name="unitId">
    /// The unit id this server answers as; requests for another are refused with GATEWAY TARGET DEVICE FAILED TO
    /// RESPOND, as a gateway would (the TCP guide gives the unit id meaning only behind a gateway). Null answers every unit id.
    /// </param>
    public ModbusTcpServer(IModbusRegisterBank bank, IPAddress address, int port, byte? unitId = null, ILogger? logger = null)
    {
        _bank = bank;
        _unitId = unitId;
        _logger = logger ?? NullLogger.Instance;
        _listener = new TcpListener(address, port);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The connections open now.</summary>
    public int ClientCount { get { lock (_gate) return _clients.Count; } }

    /// <summary>Requests received since the start (answered or not).</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>False: requests are still read but never answered, so clients time out with their connections open.</summary>
    public bool Answering { get => _answering; set => _answering = value; }

    /// <summary>Closes every open connection now (a PLC restarting its Ethernet module); clients may connect again.</summary>
    public void DropClients()
    {
        lock (_gate)
            foreach (var client in _clients.Keys) client.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            // Disposal may stop the listener between the loop's check and the accept: "Not listening" then means stopped.
            catch (InvalidOperationException) when (_stop.IsCancellationRequested) { return; }
            client.NoDelay = true;
            lock (_gate) _clients[client] = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var peer = client.Client.RemoteEndPoint;
        var reader = new ModbusFrameReader();
        var buffer = new byte[ModbusCodec.MaxAduSize];
        try
        {
            var stream = client.GetStream();
            while (true)
            {
                var received = await stream.ReadAsync(buffer, _stop.Token);
                if (received == 0) return;
                reader.Append(buffer.AsSpan(0, received));
                while (Next(reader) is { } request)
                {
                    Interlocked.Increment(ref _requests);
                    if (!_answering) continue;
                    await stream.WriteAsync(ModbusCodec.Encode(request), _stop.Token);
                }
            }
        }
        catch (ModbusProtocolException e)
        {
            _logger.LogWarning("Modbus server: closing the connection from {Peer}: {Reason}", peer, e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            _logger.LogDebug("Modbus server: client {Peer} ended: {Reason}", peer, e.Message);
        }
        finally
        {
            lock (_gate) _clients.Remove(client);
            client.Dispose();
        }
    }

    /// <summary>The answer to the next complete request in the buffer (as a frame to send), or null when more bytes are needed.</summary>
    private ModbusFrame? Next(ModbusFrameReader reader)
    {
        ModbusFrame request;
        try
        {
            if (!reader.TryReadRequest(out request)) return null;
        }
        catch (ModbusRequestException e)
        {
            _logger.LogDebug("Modbus server: {Reason}", e.Message);
            return new ModbusFrame(e.Header.TransactionId, e.Header.UnitId, new ModbusExceptionResponse((ModbusFunction)e.Function, e.Code));
        }
        return request with { Pdu = Execute(request) };
    }

    private ModbusPdu Execute(ModbusFrame request)
    {
        if (_unitId is { } unit && request.UnitId != unit)
            return new ModbusExceptionResponse(request.Pdu.Function, ModbusExceptionCode.GatewayTargetDeviceFailedToRespond);
        switch (request.Pdu)
        {
            case ReadHoldingRegistersRequest read:
                var registers = new ushort[read.Count];
                return _bank.Read(read.Address, registers) is { } readRefused
                    ? new ModbusExceptionResponse(read.Function, readRefused)
                    : new ReadHoldingRegistersResponse(registers);
            case WriteMultipleRegistersRequest write:
                return _bank.Write(write.Address, write.Values) is { } writeRefused
                    ? new ModbusExceptionResponse(write.Function, writeRefused)
                    : new WriteMultipleRegistersResponse(write.Address, (ushort)write.Values.Length);
            default:
                return new ModbusExceptionResponse(request.Pdu.Function, ModbusExceptionCode.IllegalFunction);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] sessions;
        lock (_gate)
        {
            foreach (var client in _clients.Keys) client.Dispose();
            sessions = [.. _clients.Values];
        }
        await Task.WhenAll(sessions);
        _stop.Dispose();
    }
}
