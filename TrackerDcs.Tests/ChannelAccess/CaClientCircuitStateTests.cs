using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.ChannelAccess;
using static TrackerDcs.Hardware.ChannelAccess.CaClientCircuitEvent;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>The client end of a circuit in memory: the server's messages go in as bytes, on a fake clock.</summary>
public class CaClientCircuitStateTests
{
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(5);
    private static readonly DbrType TimeDouble = new(CaType.Double, DbrClass.Time);
    private readonly FakeTimeProvider _clock = new();
    private readonly ListLogger<CaClientCircuitState> _log = new();
    private readonly CaClientCircuitState _circuit;

    public CaClientCircuitStateTests() => _circuit = NewCircuit();

    private CaClientCircuitState NewCircuit() => new("127.0.0.1:5064", ConnectionTimeout, EchoTimeout, _clock, _log);

    private static byte[] Bytes(params CaMessage[] messages) => messages.SelectMany(m => m.ToBytes()).ToArray();

    private CaClientCircuitOutput Receive(params CaMessage[] messages) => Receive(_circuit, messages);

    private static CaClientCircuitOutput Receive(CaClientCircuitState circuit, params CaMessage[] messages) => circuit.Receive(Bytes(messages));

    /// <summary>A channel created on the circuit and connected by the server's reply (native double, one element).</summary>
    private static void Connect(CaClientCircuitState circuit, uint cid, uint sid, uint count = 1)
    {
        Assert.NotNull(circuit.Attach(cid, $"test:{cid}"));
        Receive(circuit, CaMessage.AccessRights(cid, CaAccessRights.ReadWrite), CaMessage.CreateChannelReply(CaType.Double, count, cid, sid));
    }

    private static CaMessage DoubleReply(uint ioid, double value)
    {
        var (payload, count) = DbrCodec.Encode(TimeDouble, new DbrValue(CaType.Double, new[] { value }));
        return CaMessage.ReadNotifyReply(TimeDouble.Code, count, CaStatus.Normal, ioid, payload);
    }

    [Fact]
    public void The_circuit_opens_with_version_host_and_client_and_asks_for_counts_by_the_servers_version()
    {
        Assert.Equal([CaCommand.Version, CaCommand.HostName, CaCommand.ClientName],
            _circuit.Open("teststand-pc", "operator").Select(m => m.Command));
        Assert.Equal(CaMessage.MinorVersion, _circuit.Open("h", "u")[0].Header.DataCount);
        Connect(_circuit, cid: 1, sid: 10, count: 5);

        // No VERSION heard yet: the server may predate v4.13, so the native count is asked for.
        Assert.Equal(5u, _circuit.ReadNotify(1, 100, TimeDouble).Request.Header.DataCount);
        Receive(CaMessage.Version());
        Assert.Equal((ushort)13, _circuit.ServerMinorVersion);
        Assert.Equal(0u, _circuit.ReadNotify(1, 101, TimeDouble).Request.Header.DataCount);

        var old = NewCircuit();
        Connect(old, cid: 1, sid: 10, count: 5);
        Receive(old, new CaMessage(new CaHeader(CaCommand.Version, 0, 0, 11, 0, 0), []));
        Assert.Equal(5u, old.ReadNotify(1, 102, TimeDouble).Request.Header.DataCount);
    }

    [Fact]
    public async Task Replies_complete_the_request_with_the_same_IOID_in_any_order()
    {
        Connect(_circuit, cid: 1, sid: 10);
        var (first, firstReply) = _circuit.ReadNotify(1, 7, TimeDouble);
        var (_, secondReply) = _circuit.ReadNotify(1, 8, TimeDouble);
        Assert.Equal(new CaHeader(CaCommand.ReadNotify, 0, TimeDouble.Code, 1, 10, 7), first.Header);

        var output = Receive(DoubleReply(8, 2.5));
        Assert.Empty(output.Events);
        Assert.Empty(output.Send);
        Assert.Equal(2.5, Decode(await secondReply).Value);
        Assert.False(firstReply.IsCompleted);

        Receive(DoubleReply(7, 1.5));
        Assert.Equal(1.5, Decode(await firstReply).Value);
    }

    [Fact]
    public async Task An_answer_to_an_unknown_or_abandoned_IOID_is_dropped_and_an_error_fails_the_request_it_names()
    {
        Connect(_circuit, cid: 1, sid: 10);
        var (read, reply) = _circuit.ReadNotify(1, 7, TimeDouble);
        var (_, abandoned) = _circuit.ReadNotify(1, 8, TimeDouble);
        _circuit.Abandon(8);

        var output = Receive(DoubleReply(99, 1.0), DoubleReply(8, 2.0), CaMessage.WriteNotifyReply(6, 1, CaStatus.Normal, 98));
        Assert.Empty(output.Events);
        Assert.Empty(output.Send);
        Assert.False(reply.IsCompleted);
        Assert.False(abandoned.IsCompleted);

        Receive(CaMessage.Error(read.Header, 1, CaStatus.BadCount, "too many elements"));
        var error = await Assert.ThrowsAsync<CaException>(() => reply);
        Assert.Equal(CaStatus.BadCount, error.Status);
        Assert.Contains("too many elements", error.Message);
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public void An_error_nobody_waits_for_is_logged_with_the_channel()
    {
        Connect(_circuit, cid: 1, sid: 10);
        var write = _circuit.Write(1, 5, new DbrType(CaType.Double, DbrClass.Plain), 1, new byte[8]);
        Receive(CaMessage.Error(write.Header, 1, CaStatus.PutFail, "channel is tripped"));
        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("test:1", entry.Text);
        Assert.Contains("channel is tripped", entry.Text);
    }

    [Fact]
    public void Updates_go_to_the_subscription_they_name_and_stop_with_its_cancel()
    {
        Connect(_circuit, cid: 1, sid: 10);
        Connect(_circuit, cid: 2, sid: 20);
        var add = _circuit.Subscribe(1, 41, DbrClass.Time, CaEventMask.Value | CaEventMask.Alarm);
        Assert.Equal(new CaHeader(CaCommand.EventAdd, 16, TimeDouble.Code, 1, 10, 41), add!.Header);
        Assert.Equal(CaEventMask.Value | CaEventMask.Alarm, add.EventMask);
        Assert.NotNull(_circuit.Subscribe(2, 42, DbrClass.Status, CaEventMask.Value));

        var update = CaMessage.EventAddReply(TimeDouble.Code, 1, CaStatus.Normal, 42, new byte[16]);
        var output = Receive(update, CaMessage.EventAddReply(TimeDouble.Code, 1, CaStatus.Normal, 43, new byte[16]));
        var delivered = Assert.IsType<MonitorUpdate>(Assert.Single(output.Events));
        Assert.Equal((2u, 42u, update.Header), (delivered.Cid, delivered.SubscriptionId, delivered.Update.Header));

        var cancel = _circuit.Unsubscribe(42);
        Assert.Equal(new CaHeader(CaCommand.EventCancel, 0, new DbrType(CaType.Double, DbrClass.Status).Code, 0, 20, 42), cancel!.Header);
        // An update still in flight, then the server's confirmation (an EVENT_ADD without payload): neither is an event.
        Assert.Empty(Receive(update, CaMessage.EventCancelReply(TimeDouble.Code, 1, 20, 42)).Events);
        Assert.Null(_circuit.Unsubscribe(42));
    }

    [Fact]
    public void A_silent_circuit_is_sent_an_echo_after_the_connection_timeout_and_anything_heard_answers_it()
    {
        _circuit.Connected();
        _clock.Advance(ConnectionTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(CaHeartbeat.Alive, _circuit.Heartbeat());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(CaHeartbeat.SendEcho, _circuit.Heartbeat());
        _clock.Advance(EchoTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(CaHeartbeat.Alive, _circuit.Heartbeat());

        Receive(CaMessage.Echo());
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(CaHeartbeat.Alive, _circuit.Heartbeat());
        _clock.Advance(ConnectionTimeout - TimeSpan.FromSeconds(10));
        Assert.Equal(CaHeartbeat.SendEcho, _circuit.Heartbeat());
    }

    [Fact]
    public async Task A_circuit_whose_echo_goes_unanswered_is_unresponsive_and_its_close_fails_every_request()
    {
        Connect(_circuit, cid: 1, sid: 10);
        Connect(_circuit, cid: 2, sid: 20);
        var (_, reply) = _circuit.ReadNotify(1, 7, TimeDouble);
        _clock.Advance(ConnectionTimeout);
        Assert.Equal(CaHeartbeat.SendEcho, _circuit.Heartbeat());
        _clock.Advance(EchoTimeout);
        Assert.Equal(CaHeartbeat.Unresponsive, _circuit.Heartbeat());

        Assert.Equal([1u, 2u], _circuit.Close("no answer to an echo").Order());
        var error = await Assert.ThrowsAsync<CaException>(() => reply);
        Assert.Equal(CaStatus.Disconnected, error.Status);
        Assert.Contains("no answer to an echo", error.Message);
        Assert.Null(_circuit.Attach(3, "test:3"));
        Assert.Equal(CaStatus.Disconnected, Assert.Throws<CaException>(() => _circuit.ReadNotify(1, 8, TimeDouble)).Status);
    }

    [Fact]
    public void Subscriptions_are_sent_with_the_create_reply_and_again_on_the_next_circuit()
    {
        Assert.NotNull(_circuit.Attach(1, "test:1"));
        // Subscribed while the channel connects: nothing to send before the server has given a SID.
        Assert.Null(_circuit.Subscribe(1, 41, DbrClass.Time, CaEventMask.Value));
        var output = Receive(CaMessage.AccessRights(1, CaAccessRights.Read), CaMessage.CreateChannelReply(CaType.Float, 1, 1, 100));
        Assert.Equal([new AccessRightsChanged(1, CaAccessRights.Read), new ChannelConnected(1, CaType.Float, 1)], output.Events);
        var first = Assert.Single(output.Send);
        Assert.Equal((CaCommand.EventAdd, 100u, 41u, new DbrType(CaType.Float, DbrClass.Time).Code),
            (first.Command, first.Header.Parameter1, first.Header.Parameter2, first.Header.DataType));

        Assert.Equal([1u], _circuit.Close("closed by the server"));

        // The channel is found again on another circuit and hands its subscription over when attached.
        var next = NewCircuit();
        Assert.NotNull(next.Attach(1, "test:1"));
        Assert.Null(next.Subscribe(1, 41, DbrClass.Time, CaEventMask.Value));
        var again = Assert.Single(Receive(next, CaMessage.CreateChannelReply(CaType.Float, 1, 1, 200)).Send);
        Assert.Equal((CaCommand.EventAdd, 200u, 41u), (again.Command, again.Header.Parameter1, again.Header.Parameter2));
    }

    [Fact]
    public async Task A_channel_the_server_disconnects_is_lost_with_its_requests_and_subscriptions_only()
    {
        Connect(_circuit, cid: 1, sid: 10);
        Connect(_circuit, cid: 2, sid: 20);
        Assert.NotNull(_circuit.Subscribe(1, 41, DbrClass.Time, CaEventMask.Value));
        var (_, lostReply) = _circuit.ReadNotify(1, 7, TimeDouble);
        var (_, keptReply) = _circuit.ReadNotify(2, 8, TimeDouble);

        var output = Receive(CaMessage.ServerDisconnect(1), CaMessage.EventAddReply(TimeDouble.Code, 1, CaStatus.Normal, 41, new byte[16]));
        Assert.Equal([new ChannelLost(1, CaCommand.ServerDisconn)], output.Events);
        Assert.Equal(CaStatus.Disconnected, (await Assert.ThrowsAsync<CaException>(() => lostReply)).Status);
        Assert.False(keptReply.IsCompleted);
        Assert.Equal([new ChannelLost(2, CaCommand.CreateChFail)], Receive(CaMessage.CreateChannelFailed(2)).Events);
        Assert.Empty(Receive(CaMessage.ServerDisconnect(1)).Events);
    }

    [Fact]
    public void A_closed_channel_is_cleared_on_the_server_once_the_server_created_it()
    {
        Connect(_circuit, cid: 1, sid: 10);
        Assert.Equal(new CaHeader(CaCommand.ClearChannel, 0, 0, 0, 10, 1), _circuit.Detach(1)!.Header);
        Assert.NotNull(_circuit.Attach(2, "test:2"));
        Assert.Null(_circuit.Detach(2));
        // A late reply for a channel closed while it connected is ignored.
        Assert.Empty(Receive(CaMessage.CreateChannelReply(CaType.Double, 1, 2, 20)).Events);
    }

    [Fact]
    public void A_second_create_reply_for_a_channel_is_the_servers_fault()
    {
        Connect(_circuit, cid: 1, sid: 10);
        var fault = Assert.Throws<CaProtocolException>(() => Receive(CaMessage.CreateChannelReply(CaType.Double, 1, 1, 11)));
        Assert.Contains("server fault", fault.Message);
    }

    [Fact]
    public void Requests_on_a_channel_not_connected_here_fail_with_disconnected()
    {
        Assert.NotNull(_circuit.Attach(1, "test:1"));
        Assert.Equal(CaStatus.Disconnected, Assert.Throws<CaException>(() => _circuit.ReadNotify(1, 7, TimeDouble)).Status);
        Assert.Equal(CaStatus.Disconnected, Assert.Throws<CaException>(() => _circuit.Write(9, 8, TimeDouble, 1, new byte[16])).Status);
    }

    [Fact]
    public async Task Messages_split_anywhere_are_handled_once_complete()
    {
        Connect(_circuit, cid: 1, sid: 10);
        var (_, reply) = _circuit.ReadNotify(1, 7, TimeDouble);
        var update = CaMessage.EventAddReply(TimeDouble.Code, 1, CaStatus.Normal, 41, new byte[16]);
        Assert.NotNull(_circuit.Subscribe(1, 41, DbrClass.Time, CaEventMask.Value));
        var bytes = Bytes(DoubleReply(7, 4.25), update);

        var replyLength = DoubleReply(7, 4.25).EncodedLength;
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            Assert.Empty(_circuit.Receive(bytes.AsSpan(i, 1)).Events);
            Assert.Equal(i >= replyLength - 1, reply.IsCompleted);
        }
        Assert.Equal(4.25, Decode(await reply).Value);
        var delivered = Assert.IsType<MonitorUpdate>(Assert.Single(_circuit.Receive(bytes.AsSpan(bytes.Length - 1)).Events));
        Assert.Equal((41u, update.Header), (delivered.SubscriptionId, delivered.Update.Header));
        Assert.Equal(update.Payload, delivered.Update.Payload);
    }

    [Fact]
    public void A_search_answered_by_a_name_server_is_an_event()
    {
        var reply = CaMessage.SearchReply(5064, CaMessage.SenderAddress, 3);
        Assert.Equal(reply.Header, Assert.IsType<SearchAnswered>(Assert.Single(Receive(reply).Events)).Reply.Header);
    }

    private static DbrValue Decode(CaMessage reply) =>
        DbrCodec.Decode(DbrType.FromCode(reply.Header.DataType), reply.Header.DataCount, reply.Payload);
}
