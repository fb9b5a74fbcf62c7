using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrackerDcs.Hardware.Modbus;

/// <summary>
/// A Modbus TCP client for one server and unit: reads and writes holding registers with a time-out per answer,
/// one request in flight at a time (callers queue). The connection opens on first use and again after it was
/// lost, so a caller reconnects simply by asking again (a device adds its own back-off). Any failure that
/// leaves the stream in doubt (no answer in time, a broken or malformed answer, a caller that gave up mid-way)
/// closes the connection: a late answer then arrives on a dead socket and can never be taken for the next
/// request's (the TCP guide's connection management leaves it to the client to open a new connection when it needs one). An exception response
/// is a proper answer and keeps the connection.
/// </summary>
public sealed class ModbusTcpClient(string host, int port, byte unitId, TimeSpan connectTimeout, TimeSpan responseTimeout,
    TimeProvider? timeProvider = null, ILogger? logger = null) : IAsyncDisposable
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _connection = new();
    private readonly byte[] _receive = new byte[ModbusCodec.MaxAduSize];
    private TcpClient? _tcp;
    private NetworkStream? _stream;
    private ModbusClientProtocol? _protocol;
    private ushort _nextTransactionId = 1;
    private bool _disposed;

    public string Description => $"{host}:{port} unit {unitId}";

    public bool IsConnected => _stream is not null;

    /// <summary>Opens the connection now if it is not open (requests also open it by themselves).</summary>
    public async Task ConnectAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try { await EnsureConnectedAsync(ct); }
        finally { _gate.Release(); }
    }

    /// <summary>Function 0x03: <paramref name="count"/> (1–125) holding registers from <paramref name="address"/>.</summary>
    public async Task<ushort[]> ReadHoldingRegistersAsync(ushort address, ushort count, CancellationToken ct = default) =>
        ((ReadHoldingRegistersResponse)await TransactAsync(new ReadHoldingRegistersRequest(address, count), ct)).Registers;

    /// <summary>Function 0x10: <paramref name="values"/> (1–123 registers) from <paramref name="address"/> on.</summary>
    public Task WriteMultipleRegistersAsync(ushort address, ushort[] values, CancellationToken ct = default) =>
        TransactAsync(new WriteMultipleRegistersRequest(address, values), ct);

    /// <summary>Closes the connection; the next request opens a new one.</summary>
    /// <remarks>May be called while a request waits: it then fails with <see cref="ModbusConnectionException"/>.</remarks>
    public void Close()
    {
        lock (_connection)
        {
            if (_tcp is null) return;
            _logger.LogDebug("Modbus: closing the connection to {Server}", Description);
            _tcp.Dispose();
            (_tcp, _stream, _protocol) = (null, null, null);
        }
    }

    private async Task EnsureConnectedAsync(CancellationToken ct)
    {
        // A client disposed under a waiting caller (a device ending its link) fails like a broken link, which callers handle.
        if (_disposed) throw new ModbusConnectionException($"the client for {Description} was closed");
        if (_stream is not null) return;
        var tcp = new TcpClient { NoDelay = true }; // frames are small and each waits for its answer: Nagle would only add delay
        using var timeout = new CancellationTokenSource(connectTimeout, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await tcp.ConnectAsync(host, port, either.Token);
        }
        catch (Exception e)
        {
            tcp.Dispose();
            if (ct.IsCancellationRequested) throw;
            throw e is OperationCanceledException
                ? new ModbusConnectionException($"no connection to {Description} within {connectTimeout.TotalMilliseconds:0} ms")
                : new ModbusConnectionException($"cannot connect to {Description}: {e.Message}", e);
        }
        lock (_connection) (_tcp, _stream, _protocol) = (tcp, tcp.GetStream(), new ModbusClientProtocol(unitId, _nextTransactionId));
        _logger.LogDebug("Modbus: connected to {Server}", Description);
    }

    private async Task<ModbusPdu> TransactAsync(ModbusPdu request, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await EnsureConnectedAsync(ct);
            NetworkStream? stream;
            ModbusClientProtocol? protocol;
            lock (_connection) (stream, protocol) = (_stream, _protocol);
            if (stream is null || protocol is null) throw new ModbusConnectionException($"{What(request)}: the connection to {Description} was closed");
            var bytes = protocol.Send(request); // a request outside the specification's limits throws here, before anything is sent
            _nextTransactionId = protocol.NextTransactionId;
            using var timeout = new CancellationTokenSource(responseTimeout, _time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try
            {
                await stream.WriteAsync(bytes, either.Token);
                while (true)
                {
                    var received = await stream.ReadAsync(_receive, either.Token);
                    if (received == 0) throw new ModbusConnectionException($"{What(request)}: {Description} closed the connection");
                    if (protocol.Receive(_receive.AsSpan(0, received)) is not { } response) continue;
                    return response is ModbusExceptionResponse refused
                        ? throw new ModbusServerException(refused.Function, refused.Code, What(request))
                        : response;
                }
            }
            catch (Exception e) when (e is not ModbusServerException)
            {
                Close();
                if (e is OperationCanceledException && timeout.IsCancellationRequested && !ct.IsCancellationRequested)
                    throw new ModbusTimeoutException($"{What(request)}: no answer from {Description} within {responseTimeout.TotalMilliseconds:0} ms");
                if (e is IOException or SocketException or ObjectDisposedException)
                    throw new ModbusConnectionException($"{What(request)}: the connection to {Description} broke: {e.Message}", e);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string What(ModbusPdu request) => request switch
    {
        ReadHoldingRegistersRequest r => $"read of {r.Count} registers from {r.Address}",
        WriteMultipleRegistersRequest w => $"write of {w.Values.Length} registers from {w.Address}",
        _ => request.ToString(),
    };

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            Close();
        }
        finally
        {
            _gate.Release();
        }
    }
}
