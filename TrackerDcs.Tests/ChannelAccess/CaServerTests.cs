using System.Net;
using System.Net.Sockets;
using TrackerDcs.Hardware.ChannelAccess;
using static TrackerDcs.Tests.ChannelAccess.CaTest;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>The server's name resolution seen from raw datagrams, and its ports.</summary>
public class CaServerTests(CaTestServer ioc) : IClassFixture<CaTestServer>
{
    [Fact]
    public async Task A_search_datagram_is_answered_with_version_then_replies_and_not_found_on_request()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var request = new[] { CaMessage.Version(), CaMessage.Search(ioc.VMon.Name, 7), CaMessage.Search("test:Unknown", 8, replyIfNotFound: true), CaMessage.Search("test:Quiet", 9) }
            .SelectMany(m => m.ToBytes()).ToArray();
        await udp.SendToAsync(request, new IPEndPoint(IPAddress.Loopback, ioc.Port));

        var buffer = new byte[CaMessageReader.MaxDatagram];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = await udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
        var replies = CaMessageReader.ReadDatagram(buffer.AsSpan(0, received.ReceivedBytes));

        Assert.Equal([CaCommand.Version, CaCommand.Search, CaCommand.NotFound], replies.Select(r => r.Command));
        Assert.Equal(CaMessage.MinorVersion, replies[0].Header.DataCount);
        Assert.Equal(new CaHeader(CaCommand.Search, 8, (ushort)ioc.Server.TcpPort, 0, CaMessage.SenderAddress, 7), replies[1].Header);
        Assert.Equal(8u, replies[2].Header.Parameter1);
    }

    [Fact]
    public async Task A_second_server_on_the_same_port_is_refused_and_a_stopped_one_starts_again()
    {
        var port = FreePort.ChannelAccess();
        await using var first = new CaServer(_ => null, new CaServerOptions { Port = port });
        await using var second = new CaServer(_ => null, new CaServerOptions { Port = port });
        first.Start();
        Assert.ThrowsAny<SocketException>(second.Start);
        Assert.False(second.IsRunning);

        await first.RestartAsync();
        Assert.True(first.IsRunning);
        Assert.Equal(port, first.SearchPort);
        Assert.Equal(port, first.TcpPort);
    }

    [Fact]
    public async Task A_simulator_storing_a_wrong_type_fails_reads_not_the_server()
    {
        var broken = new ProcessVariable("test:Broken", CaType.Double, 1.0);
        var fine = new ProcessVariable("test:Fine", CaType.Double, 2.0);
        await using var server = StartServer([broken, fine]);
        await using var client = new CaClient(CaTest.OptionsFor(server.SearchPort));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var channel = await client.ConnectAsync(broken.Name, timeout.Token);
        using var monitor = await channel.SubscribeAsync(_ => { }, cancellationToken: timeout.Token);

        broken.Update(new Uri("http://not.a.number"));
        var error = await Assert.ThrowsAsync<CaException>(() => channel.GetAsync(cancellationToken: timeout.Token));
        Assert.Equal(CaStatus.GetFail, error.Status);
        var other = await client.ConnectAsync(fine.Name, timeout.Token);
        Assert.Equal(2.0, (await other.GetAsync(cancellationToken: timeout.Token)).Value);
    }

    [Fact]
    public async Task A_raw_circuit_gets_echo_create_failure_and_errors_for_bad_requests()
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await tcp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ioc.Server.TcpPort));
        var badRead = CaMessage.ReadNotify(6, 1, 999, 5);
        var requests = new[]
        {
            CaMessage.Version(), CaMessage.Echo(), CaMessage.CreateChannel("test:Unknown", 3), badRead,
            CaMessage.CreateChannel(ioc.VMon.Name, 4), CaMessage.ReadNotify(99, 1, 1, 6),
        };
        await tcp.SendAsync(requests.SelectMany(m => m.ToBytes()).ToArray(), SocketFlags.None);

        var reader = new CaMessageReader();
        var replies = new List<CaMessage>();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (replies.Count < 7)
        {
            reader.Append(buffer.AsSpan(0, await tcp.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)));
            while (reader.TryRead(out var m)) replies.Add(m);
        }

        Assert.Equal([CaCommand.Version, CaCommand.Echo, CaCommand.CreateChFail, CaCommand.Error,
            CaCommand.AccessRights, CaCommand.CreateChan, CaCommand.Error], replies.Select(r => r.Command));
        Assert.Equal(3u, replies[2].Header.Parameter1);
        Assert.Equal(CaStatus.BadChannelId, replies[3].Header.Parameter2);
        Assert.Equal(badRead.Header, replies[3].ErrorRequest);
        Assert.Equal((uint)CaAccessRights.Read, replies[4].Header.Parameter2);
        Assert.Equal((ushort)CaType.Double, replies[5].Header.DataType);
        Assert.Equal(CaStatus.BadType, replies[6].Header.Parameter2);
    }

    [Fact]
    public async Task Updates_held_back_while_events_are_off_arrive_once_when_they_are_on_again()
    {
        var pv = new ProcessVariable("test:Flow", CaType.Long, 0);
        await using var server = StartServer([pv]);
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await tcp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.TcpPort));
        var reader = new CaMessageReader();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        async Task<List<CaMessage>> Exchange(params CaMessage[] requests)
        {
            await tcp.SendAsync(requests.Append(CaMessage.Echo()).SelectMany(m => m.ToBytes()).ToArray(), SocketFlags.None);
            var received = new List<CaMessage>();
            while (received.LastOrDefault()?.Command != CaCommand.Echo)
            {
                reader.Append(buffer.AsSpan(0, await tcp.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)));
                while (reader.TryRead(out var m)) received.Add(m);
            }
            return received[..^1];
        }

        var created = await Exchange(CaMessage.Version(), CaMessage.CreateChannel(pv.Name, 1));
        var sid = created.Single(m => m.Command == CaCommand.CreateChan).Header.Parameter2;
        var monitorType = new DbrType(CaType.Long, DbrClass.Plain).Code;
        Assert.Single(await Exchange(CaMessage.EventAdd(monitorType, 1, sid, 9, CaEventMask.Value), CaMessage.EventsOff()));

        pv.Update(1);
        pv.Update(2);
        pv.Update(3);
        Assert.Empty(await Exchange());

        var resumed = Assert.Single(await Exchange(CaMessage.EventsOn()));
        Assert.Equal(3, DbrCodec.Decode(DbrType.FromCode(resumed.Header.DataType), resumed.Header.DataCount, resumed.Payload).Value);
    }

    [Fact]
    public async Task A_put_handler_may_wait_for_an_update_published_on_another_thread_to_the_same_circuit()
    {
        // A simulator whose put handler hands the new value to its own thread and waits for it, as a driver
        // with a worker thread would: the update comes back through the circuit the put arrived on.
        var readback = new ProcessVariable("test:Readback", CaType.Double, 0.0);
        var setpoint = new ProcessVariable("test:Setpoint", CaType.Double, 0.0)
        {
            OnPut = value => Task.Run(() => readback.Update(value)).Wait(TimeSpan.FromSeconds(20)) ? null : "the worker did not finish",
        };
        await using var server = StartServer([setpoint, readback]);
        await using var client = new CaClient(OptionsFor(server.SearchPort));
        var set = await client.ConnectAsync(setpoint.Name, TimeLimit());
        var read = await client.ConnectAsync(readback.Name, TimeLimit());
        var seen = new List<double>();
        using var monitor = await read.SubscribeAsync(v => { lock (seen) seen.Add((double)v.Value); }, cancellationToken: TimeLimit());

        await set.PutAsync(4.5, TimeLimit());
        await Eventually.True(() => { lock (seen) return seen.Contains(4.5); }, "the readback's update");
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_disconnected_instead_of_filling_memory()
    {
        var waveform = new ProcessVariable("test:Trace", CaType.Double, new double[1000]);
        var log = new ListLogger<CaServer>();
        await using var server = StartServer([waveform], log);
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await tcp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.TcpPort));
        var requests = new[]
        {
            CaMessage.Version(), CaMessage.CreateChannel(waveform.Name, 1),
            CaMessage.EventAdd(new DbrType(CaType.Double, DbrClass.Plain).Code, 0, 1, 1, CaEventMask.Value),
        };
        await tcp.SendAsync(requests.SelectMany(m => m.ToBytes()).ToArray(), SocketFlags.None);
        await Eventually.True(() => server.ChannelCount == 1, "the channel");

        for (var i = 1; server.CircuitCount > 0 && i < 20_000; i++) waveform.Update(Enumerable.Repeat((double)i, 1000).ToArray());

        await Eventually.True(() => server.CircuitCount == 0, "the circuit to be closed");
        Assert.Contains(log.Entries, e => e.Text.Contains("stopped reading"));
    }
}
