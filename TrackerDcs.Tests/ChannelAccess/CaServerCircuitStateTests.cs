using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>The server end of a circuit in memory: requests go in as bytes, PV changes call back with the channel's SID.</summary>
public class CaServerCircuitStateTests
{
    private static readonly ushort PlainLong = new DbrType(CaType.Long, DbrClass.Plain).Code;
    private readonly ProcessVariable _flow = new("test:Flow", CaType.Long, 0);
    private readonly ProcessVariable _vmon = new("test:VMon", CaType.Double, 12.5) { Writable = false };
    private readonly List<(uint Sid, CaEventMask Posted)> _changed = [];
    private readonly ListLogger<CaServerCircuitState> _log = new();
    private readonly CaServerCircuitState _circuit;

    public CaServerCircuitStateTests()
    {
        var pvs = new[] { _flow, _vmon }.ToDictionary(pv => pv.Name);
        _circuit = new CaServerCircuitState(pvs.GetValueOrDefault, _ => null, (sid, posted) => _changed.Add((sid, posted)), _log, "127.0.0.1:40000");
    }

    private static byte[] Bytes(params CaMessage[] messages) => messages.SelectMany(m => m.ToBytes()).ToArray();

    /// <summary>Feeds requests as the socket layer does: each put handed out is run, completed, and handling goes on.</summary>
    private List<CaMessage> Receive(params CaMessage[] requests)
    {
        var output = _circuit.Receive(Bytes(requests));
        var sent = output.Send;
        while (output.Put is { } put)
        {
            sent.AddRange(_circuit.Complete(put, put.Run()));
            output = _circuit.Receive([]);
            sent.AddRange(output.Send);
        }
        return sent;
    }

    /// <summary>CREATE_CHAN for the PV; returns its SID.</summary>
    private uint Create(ProcessVariable pv, uint cid) => Receive(CaMessage.CreateChannel(pv.Name, cid)).Single(m => m.Command == CaCommand.CreateChan).Header.Parameter2;

    /// <summary>Each PV change the state was told of, published as a simulator thread would see it.</summary>
    private List<CaMessage> PublishChanges()
    {
        var sent = _changed.SelectMany(c => _circuit.Publish(c.Sid, c.Posted)).ToList();
        _changed.Clear();
        return sent;
    }

    private static int Value(CaMessage update) =>
        (int)DbrCodec.Decode(DbrType.FromCode(update.Header.DataType), update.Header.DataCount, update.Payload).Value;

    [Fact]
    public void Version_echo_and_the_clients_names_are_answered_and_kept()
    {
        var replies = Receive(CaMessage.Version(), CaMessage.ClientName("operator"), CaMessage.HostName("teststand-pc"), CaMessage.Echo());
        Assert.Equal([CaCommand.Version, CaCommand.Echo], replies.Select(m => m.Command));
        Assert.Equal(CaMessage.MinorVersion, replies[0].Header.DataCount);
        Assert.Equal(("operator", "teststand-pc", "operator@teststand-pc"), (_circuit.ClientName, _circuit.HostName, _circuit.Peer));
    }

    [Fact]
    public void A_channel_is_created_with_its_access_rights_and_an_unknown_name_is_refused()
    {
        var replies = Receive(CaMessage.CreateChannel(_vmon.Name, 4), CaMessage.CreateChannel("test:Unknown", 5));
        Assert.Equal([CaCommand.AccessRights, CaCommand.CreateChan, CaCommand.CreateChFail], replies.Select(m => m.Command));
        Assert.Equal(new CaHeader(CaCommand.AccessRights, 0, 0, 0, 4, (uint)CaAccessRights.Read), replies[0].Header);
        Assert.Equal(new CaHeader(CaCommand.CreateChan, 0, (ushort)CaType.Double, 1, 4, 1), replies[1].Header);
        Assert.Equal(5u, replies[2].Header.Parameter1);
        Assert.Equal(1, _circuit.ChannelCount);
    }

    [Fact]
    public void A_subscription_gets_the_current_value_then_only_changes_its_mask_selects()
    {
        var sid = Create(_flow, 1);
        var initial = Assert.Single(Receive(CaMessage.EventAdd(PlainLong, 1, sid, 9, CaEventMask.Value)));
        Assert.Equal((CaCommand.EventAdd, CaStatus.Normal, 9u, 0), (initial.Command, initial.Header.Parameter1, initial.Header.Parameter2, Value(initial)));

        _flow.Update(0);
        _flow.Update(0, AlarmSeverity.Minor);
        // The same value posts nothing (the PV's dead band is 0: any change); the alarm posts DBE_ALARM only.
        Assert.Equal([(sid, CaEventMask.Alarm)], _changed);
        Assert.Empty(PublishChanges());
        _flow.Update(3, AlarmSeverity.Minor);
        Assert.Equal([3], PublishChanges().Select(Value));

        Assert.Single(Receive(CaMessage.EventCancel(PlainLong, 1, sid, 9)), m => m.Command == CaCommand.EventAdd && m.Payload.Length == 0);
        _flow.Update(4);
        Assert.Empty(PublishChanges());
    }

    [Fact]
    public void Updates_held_back_while_events_are_off_are_sent_once_when_they_are_on()
    {
        var sid = Create(_flow, 1);
        Receive(CaMessage.EventAdd(PlainLong, 1, sid, 9, CaEventMask.Value), CaMessage.EventsOff());
        _flow.Update(1);
        _flow.Update(2);
        Assert.Empty(PublishChanges());
        _flow.Update(3);
        var resumed = Receive(CaMessage.EventsOn());
        Assert.Equal([3], resumed.Select(Value));
    }

    [Fact]
    public void Requests_for_an_unknown_SID_type_or_count_are_answered_with_errors()
    {
        var sid = Create(_flow, 1);
        var unknownSid = CaMessage.ReadNotify(PlainLong, 1, 99, 5);
        var replies = Receive(unknownSid, CaMessage.ReadNotify(99, 1, sid, 6), CaMessage.ReadNotify(PlainLong, 2, sid, 7));
        Assert.Equal([CaStatus.BadChannelId, CaStatus.BadType, CaStatus.BadCount], replies.Select(m => m.Header.Parameter2));
        Assert.All(replies, m => Assert.Equal(CaCommand.Error, m.Command));
        Assert.Equal(unknownSid.Header, replies[0].ErrorRequest);
    }

    [Fact]
    public void A_put_to_a_read_only_PV_is_refused_and_logged_and_changes_nothing()
    {
        var sid = Create(_vmon, 1);
        var (payload, count) = DbrCodec.Encode(new DbrType(CaType.Double, DbrClass.Plain), new DbrValue(CaType.Double, new[] { 1.0 }));
        var reply = Assert.Single(Receive(CaMessage.WriteNotify(6, count, sid, 3, payload)));
        Assert.Equal((CaCommand.WriteNotify, CaStatus.NoWriteAccess, 3u), (reply.Command, reply.Header.Parameter1, reply.Header.Parameter2));
        Assert.Equal(12.5, _vmon.Value);
        Assert.Contains(_log.Entries, e => e.Text.Contains("read-only"));
    }

    [Fact]
    public void A_put_is_handed_out_to_run_and_the_requests_after_it_wait_for_its_completion()
    {
        var sid = Create(_flow, 1);
        var (payload, count) = DbrCodec.Encode(new DbrType(CaType.Long, DbrClass.Plain), new DbrValue(CaType.Long, new[] { 7 }));
        var output = _circuit.Receive(Bytes(CaMessage.WriteNotify(PlainLong, count, sid, 3, payload), CaMessage.ReadNotify(PlainLong, 1, sid, 4)));
        Assert.Empty(output.Send);
        var put = Assert.IsType<CaServerPut>(output.Put);
        Assert.Equal(0, _flow.Value);
        Assert.Empty(_circuit.Receive([]).Send);

        Assert.Equal((CaStatus.Normal, (string?)null), put.Run());
        var reply = Assert.Single(_circuit.Complete(put, (CaStatus.Normal, null)));
        Assert.Equal((CaCommand.WriteNotify, CaStatus.Normal, 3u), (reply.Command, reply.Header.Parameter1, reply.Header.Parameter2));
        var read = Assert.Single(_circuit.Receive([]).Send);
        Assert.Equal((4u, 7), (read.Header.Parameter2, Value(read)));
        Assert.Throws<InvalidOperationException>(() => _circuit.Complete(put, (CaStatus.Normal, null)));
    }

    [Fact]
    public void Disconnected_channels_are_told_so_forgotten_and_their_PV_no_longer_calls_back()
    {
        var flowSid = Create(_flow, 1);
        var vmonSid = Create(_vmon, 2);
        Receive(CaMessage.EventAdd(PlainLong, 1, flowSid, 9, CaEventMask.Value));

        var disconnected = Assert.Single(_circuit.Disconnect(_flow.Name));
        Assert.Equal(new CaHeader(CaCommand.ServerDisconn, 0, 0, 0, 1, 0), disconnected.Header);
        _flow.Update(5);
        Assert.Empty(_changed);
        Assert.Empty(_circuit.Publish(flowSid, CaEventMask.Value));
        Assert.Equal(CaCommand.Error, Assert.Single(Receive(CaMessage.ReadNotify(PlainLong, 1, flowSid, 4))).Command);

        Assert.Equal([2u], _circuit.Disconnect().Select(m => m.Header.Parameter1));
        Assert.Equal(0, _circuit.ChannelCount);
        Assert.Empty(Receive(CaMessage.ClearChannel(vmonSid, 2)));
    }

    [Fact]
    public void Requests_split_anywhere_are_answered_once_complete()
    {
        var bytes = new[] { CaMessage.Version(), CaMessage.CreateChannel(_flow.Name, 1), CaMessage.Echo() }.SelectMany(m => m.ToBytes()).ToArray();
        var replies = new List<CaMessage>();
        for (var i = 0; i < bytes.Length; i += 3) replies.AddRange(_circuit.Receive(bytes.AsSpan(i, Math.Min(3, bytes.Length - i))).Send);
        Assert.Equal([CaCommand.Version, CaCommand.AccessRights, CaCommand.CreateChan, CaCommand.Echo], replies.Select(m => m.Command));
    }
}
