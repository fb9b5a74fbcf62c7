using System.Net;
using System.Net.Sockets;
using TrackerDcs.Hardware.Modbus;
using TrackerDcs.Tests.Julabo;

namespace TrackerDcs.Tests.Modbus;

/// <summary>Our client against our server over loopback TCP, and the client against a hand-driven peer that answers late.</summary>
public class ModbusTcpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);

    private static ModbusRegisterBank Bank() =>
        new(readable: [.. Range(100, 10), .. Range(200, 4)], writable: Range(200, 4));

    private static IEnumerable<ushort> Range(int start, int count) => Enumerable.Range(start, count).Select(a => (ushort)a);

    private static ModbusTcpClient Client(IPEndPoint server, byte unit = 1, TimeSpan? timeout = null) =>
        new("127.0.0.1", server.Port, unit, TimeSpan.FromSeconds(5), timeout ?? TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Reads_and_writes_registers_and_a_refusal_keeps_the_connection()
    {
        var bank = Bank();
        for (ushort a = 100; a < 110; a++) bank[a] = (ushort)(a * 3);
        await using var server = new ModbusTcpServer(bank, IPAddress.Loopback, 0, unitId: 1);
        await using var client = Client(server.EndPoint);

        Assert.Equal([300, 303, 306], await client.ReadHoldingRegistersAsync(100, 3));
        await client.WriteMultipleRegistersAsync(200, [7, 0xFFFF]);
        Assert.Equal([7, 0xFFFF, 0, 0], await client.ReadHoldingRegistersAsync(200, 4));

        // Across the gap after 109, and a write to a register that is read-only: refused whole, nothing stored.
        var gap = await Assert.ThrowsAsync<ModbusServerException>(() => client.ReadHoldingRegistersAsync(108, 3));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, gap.Code);
        Assert.Contains("read of 3 registers from 108: the server answered ILLEGAL DATA ADDRESS", gap.Message);
        var readOnly = await Assert.ThrowsAsync<ModbusServerException>(() => client.WriteMultipleRegistersAsync(109, [1, 2]));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, readOnly.Code);
        Assert.Equal(327, bank[109]);

        Assert.True(client.IsConnected);
        Assert.Equal(1, server.ClientCount);
        Assert.Equal([300], await client.ReadHoldingRegistersAsync(100, 1));
    }

    [Fact]
    public async Task Another_unit_id_is_refused_as_by_a_gateway()
    {
        await using var server = new ModbusTcpServer(Bank(), IPAddress.Loopback, 0, unitId: 1);
        await using var client = Client(server.EndPoint, unit: 2);
        var e = await Assert.ThrowsAsync<ModbusServerException>(() => client.ReadHoldingRegistersAsync(100, 1));
        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, e.Code);
    }

    [Fact]
    public async Task A_server_that_stops_answering_times_out_closes_the_connection_and_the_next_request_reconnects()
    {
        var bank = Bank();
        bank[100] = 42;
        await using var server = new ModbusTcpServer(bank, IPAddress.Loopback, 0, unitId: 1);
        await using var client = Client(server.EndPoint, timeout: Timeout);
        Assert.Equal([42], await client.ReadHoldingRegistersAsync(100, 1));

        server.Answering = false;
        var e = await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(100, 1));
        Assert.Contains("no answer from 127.0.0.1", e.Message);
        Assert.False(client.IsConnected);

        server.Answering = true;
        bank[100] = 43;
        Assert.Equal([43], await client.ReadHoldingRegistersAsync(100, 1));
        await Eventually.True(() => server.ClientCount == 1, "the server to see the old connection closed");
    }

    [Fact]
    public async Task Dropped_connections_fail_the_request_in_doubt_and_the_next_one_reconnects()
    {
        var bank = Bank();
        bank[101] = 5;
        await using var server = new ModbusTcpServer(bank, IPAddress.Loopback, 0, unitId: 1);
        await using var client = Client(server.EndPoint);
        await client.ReadHoldingRegistersAsync(100, 1);

        server.DropClients();
        await Eventually.True(() => server.ClientCount == 0, "the server to close the connection");
        await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(101, 1));
        Assert.Equal([5], await client.ReadHoldingRegistersAsync(101, 1));
    }

    [Fact]
    public async Task No_server_is_a_connection_error_naming_the_address()
    {
        var port = FreePort.Tcp();
        await using var client = new ModbusTcpClient("127.0.0.1", port, 1, TimeSpan.FromSeconds(5), Timeout);
        var e = await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(0, 1));
        Assert.Contains($"cannot connect to 127.0.0.1:{port} unit 1", e.Message);
    }

    [Fact]
    public async Task Several_clients_are_served_at_once_and_garbage_closes_only_its_own_connection()
    {
        var bank = Bank();
        await using var server = new ModbusTcpServer(bank, IPAddress.Loopback, 0, unitId: 1);
        var clients = Enumerable.Range(0, 4).Select(_ => Client(server.EndPoint)).ToList();
        try
        {
            await Task.WhenAll(clients.Select(async (c, i) =>
            {
                for (var n = 0; n < 50; n++)
                {
                    await c.WriteMultipleRegistersAsync((ushort)(200 + i), [(ushort)n]);
                    Assert.Equal([(ushort)n], await c.ReadHoldingRegistersAsync((ushort)(200 + i), 1));
                }
            }));
            Assert.Equal(4, server.ClientCount);

            using var rogue = new TcpClient();
            await rogue.ConnectAsync(server.EndPoint);
            await rogue.GetStream().WriteAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
            Assert.Equal(0, await rogue.GetStream().ReadAsync(new byte[16])); // closed by the server
            Assert.Equal([49], await clients[0].ReadHoldingRegistersAsync(200, 1));
            Assert.Equal(4, server.ClientCount);
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
    }

    /// <summary>
    /// The answer to a timed-out request arrives late, after the client has moved on to a new connection and a new
    /// request. The peer is scripted so that the late answer (with other values) is sent only once the new
    /// request is waiting: the client must return the new request's own answer.
    /// </summary>
    [Fact]
    public async Task A_late_answer_is_never_taken_for_the_next_requests()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var client = new ModbusTcpClient("127.0.0.1", port, 1, TimeSpan.FromSeconds(5), Timeout);

        var firstAccepted = listener.AcceptTcpClientAsync();
        var first = client.ReadHoldingRegistersAsync(100, 1);
        using var old = await firstAccepted;
        var oldRequest = await ReadFrameAsync(old);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => first);

        var secondAccepted = listener.AcceptTcpClientAsync();
        var second = client.ReadHoldingRegistersAsync(100, 1);
        using var fresh = await secondAccepted;
        var freshRequest = await ReadFrameAsync(fresh);
        Assert.NotEqual(oldRequest.TransactionId, freshRequest.TransactionId);

        // The late answer goes out on the old connection (which the client closed), and also, as the worst case,
        // on the new one under the old transaction id: neither may be taken for the new request's answer.
        await Send(old, oldRequest with { Pdu = new ReadHoldingRegistersResponse([111]) }, ignoreErrors: true);
        await Send(fresh, oldRequest with { Pdu = new ReadHoldingRegistersResponse([111]) });
        var e = await Assert.ThrowsAsync<ModbusProtocolException>(() => second);
        Assert.Contains($"a response to transaction {oldRequest.TransactionId} arrived while transaction {freshRequest.TransactionId} was in flight", e.Message);
        Assert.False(client.IsConnected);

        var thirdAccepted = listener.AcceptTcpClientAsync();
        var third = client.ReadHoldingRegistersAsync(100, 1);
        using var last = await thirdAccepted;
        var lastRequest = await ReadFrameAsync(last);
        await Send(last, lastRequest with { Pdu = new ReadHoldingRegistersResponse([222]) });
        Assert.Equal([222], await third);
    }

    private static async Task<ModbusFrame> ReadFrameAsync(TcpClient peer)
    {
        var reader = new ModbusFrameReader();
        var buffer = new byte[300];
        ModbusFrame frame;
        while (!reader.TryReadRequest(out frame))
        {
            var n = await peer.GetStream().ReadAsync(buffer);
            Assert.NotEqual(0, n);
            reader.Append(buffer.AsSpan(0, n));
        }
        return frame;
    }

    private static async Task Send(TcpClient peer, ModbusFrame frame, bool ignoreErrors = false)
    {
        try { await peer.GetStream().WriteAsync(ModbusCodec.Encode(frame)); }
        catch (IOException) when (ignoreErrors) { }
    }
}
