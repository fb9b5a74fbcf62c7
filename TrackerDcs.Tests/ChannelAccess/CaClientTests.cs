using Microsoft.Extensions.Configuration;
using TrackerDcs.Hardware.ChannelAccess;
using static TrackerDcs.Tests.ChannelAccess.CaTest;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>Our client against our server, over loopback.</summary>
public class CaClientTests(CaTestServer ioc) : IClassFixture<CaTestServer>
{
    [Fact]
    public async Task Get_reads_time_and_control_structures_of_every_kind()
    {
        await using var client = new CaClient(OptionsFor(ioc.Port));
        var vmon = await client.ConnectAsync(ioc.VMon.Name, TimeLimit());
        var imRange = await client.ConnectAsync(ioc.ImRange.Name, TimeLimit());
        var name = await client.ConnectAsync(ioc.Name.Name, TimeLimit());
        var waveform = await client.ConnectAsync(ioc.Waveform.Name, TimeLimit());

        Assert.Equal(CaConnectionState.Connected, vmon.State);
        Assert.Equal(CaType.Double, vmon.NativeType);
        Assert.Equal(CaAccessRights.Read, vmon.AccessRights);
        Assert.Equal(vmon.Server, name.Server);

        var reading = await vmon.GetAsync(cancellationToken: TimeLimit());
        Assert.Equal(12.5, reading.Value);
        Assert.Equal(AlarmSeverity.NoAlarm, reading.Severity);
        Assert.InRange(reading.Timestamp, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));

        var control = await vmon.GetControlAsync(TimeLimit());
        Assert.Equal("V", control.Units);
        Assert.Equal(3, control.Precision);
        Assert.Equal(100, control.Limits.UpperControl);

        var range = await imRange.GetControlAsync(TimeLimit());
        Assert.Equal(["High", "Low"], range.EnumStrings);
        Assert.Equal("Low", range.EnumString);

        Assert.Equal("module_0", (await name.GetAsync(cancellationToken: TimeLimit())).Value);
        var samples = (double[])(await waveform.GetAsync(cancellationToken: TimeLimit())).Value;
        Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.0, 5.0 }, samples);
        Assert.Equal("12.500", (await vmon.GetAsync(DbrClass.Plain, CaType.String, TimeLimit())).Value);
    }

    [Fact]
    public async Task Puts_complete_with_notify_arrive_without_and_are_refused_when_read_only_or_rejected()
    {
        await using var client = new CaClient(OptionsFor(ioc.Port));
        var setV = await client.ConnectAsync(ioc.V0Set.Name, TimeLimit());
        var pw = await client.ConnectAsync(ioc.Pw.Name, TimeLimit());
        var vmon = await client.ConnectAsync(ioc.VMon.Name, TimeLimit());
        var tripped = await client.ConnectAsync(ioc.Tripped.Name, TimeLimit());

        await setV.PutAsync(11.75, TimeLimit());
        Assert.Equal(11.75, ioc.V0Set.Value);
        await pw.PutAsync("On", TimeLimit());
        Assert.Equal((ushort)1, ioc.Pw.Value);

        setV.Put(10);
        await Eventually.True(() => Equals(ioc.V0Set.Value, 10.0), "the put without notify");

        var readOnly = await Assert.ThrowsAsync<CaException>(() => vmon.PutAsync(1.0, TimeLimit()));
        Assert.Equal(CaStatus.NoWriteAccess, readOnly.Status);
        var refused = await Assert.ThrowsAsync<CaException>(() => tripped.PutAsync(5.0, TimeLimit()));
        Assert.Equal(CaStatus.PutFail, refused.Status);
        var garbage = await Assert.ThrowsAsync<CaException>(() => pw.PutAsync("Maybe", TimeLimit()));
        Assert.Equal(CaStatus.NoConvert, garbage.Status);
        Assert.Equal(12.5, ioc.VMon.Value);
        Assert.Equal(1.0, ioc.Tripped.Value);
    }

    [Fact]
    public async Task Monitors_deliver_value_alarm_and_time_and_honour_a_deadband()
    {
        await using var client = new CaClient(OptionsFor(ioc.Port));
        var status = await client.ConnectAsync(ioc.Status.Name, TimeLimit());
        var updates = new List<DbrValue>();
        var filtered = new List<DbrValue>();
        using var all = await status.SubscribeAsync(v => { lock (updates) updates.Add(v); }, cancellationToken: TimeLimit());
        using var coarse = await status.SubscribeAsync(v => { lock (filtered) filtered.Add(v); }, deadband: 5, cancellationToken: TimeLimit());

        ioc.Status.Update(1);
        ioc.Status.Update(1);
        ioc.Status.Update(2, AlarmSeverity.Minor, 3);
        ioc.Status.Update(10, AlarmSeverity.Minor, 3);
        await Eventually.True(() => { lock (updates) return updates.Count >= 4; }, "four updates");
        await Eventually.True(() => { lock (filtered) return filtered.Count >= 3; }, "three filtered updates");

        lock (updates)
        {
            Assert.Equal([0, 1, 2, 10], updates.Select(u => (int)u.Value));
            Assert.Equal(AlarmSeverity.Minor, updates[2].Severity);
            Assert.Equal((ushort)3, updates[2].Status);
            Assert.All(updates, u => Assert.InRange(u.Timestamp, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1)));
        }
        lock (filtered) Assert.Equal([0, 2, 10], filtered.Select(u => (int)u.Value));
    }

    [Fact]
    public async Task A_state_handler_given_at_creation_sees_the_first_connection()
    {
        await using var client = new CaClient(OptionsFor(ioc.Port));
        var states = new List<CaConnectionState>();
        var channel = client.CreateChannel(ioc.Name.Name, (_, state) => { lock (states) states.Add(state); });
        await channel.WaitConnectedAsync(TimeLimit());
        await Eventually.True(() => { lock (states) return states.Count == 1; }, "the Connected event");
        lock (states) Assert.Equal([CaConnectionState.Connected], states);
    }

    [Fact]
    public async Task A_missing_channel_stays_unconnected_until_cancelled()
    {
        await using var client = new CaClient(OptionsFor(ioc.Port));
        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ConnectAsync("test:NoSuchPv", soon.Token));
    }

    [Fact]
    public async Task Channels_are_found_through_a_name_server()
    {
        await using var client = new CaClient(new ChannelAccessOptions
        {
            AutoAddressList = false,
            NameServers = $"127.0.0.1:{ioc.Server.TcpPort}",
        });
        var channel = await client.ConnectAsync(ioc.Name.Name, TimeLimit());
        Assert.Equal("module_0", (await channel.GetAsync(cancellationToken: TimeLimit())).Value);
    }

    [Fact]
    public void Options_read_the_epics_environment()
    {
        var options = new ChannelAccessOptions().ApplyEnvironment(new Dictionary<string, string>
        {
            ["EPICS_CA_ADDR_LIST"] = "127.0.0.1 127.0.0.2:6000",
            ["EPICS_CA_AUTO_ADDR_LIST"] = "NO",
            ["EPICS_CA_NAME_SERVERS"] = "127.0.0.3:7000",
            ["EPICS_CA_SERVER_PORT"] = "5070",
            ["EPICS_CA_CONN_TMO"] = "2.5",
        });
        Assert.False(options.AutoAddressList);
        Assert.Equal(["127.0.0.1:5070", "127.0.0.2:6000"], options.SearchDestinations().Select(e => e.ToString()));
        Assert.Equal(["127.0.0.3:7000"], options.NameServerEndPoints().Select(e => e.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.ConnectionTimeout);
        Assert.Equal(5071, options.EffectiveRepeaterPort);
        Assert.Throws<ArgumentException>(() => new ChannelAccessOptions { AddressList = "127.0.0.1:x" }.Validate());
    }

    [Fact]
    public async Task Cancelled_monitors_stop_and_cleared_channels_are_forgotten_by_the_server()
    {
        var pv = new ProcessVariable("test:00:000:RUp", CaType.Double, 50.0);
        var other = new ProcessVariable("test:00:000:RDWn", CaType.Double, 50.0);
        await using var server = StartServer([pv, other]);
        await using var client = new CaClient(OptionsFor(server.SearchPort));
        var channel = await client.ConnectAsync(pv.Name, TimeLimit());
        var second = await client.ConnectAsync(other.Name, TimeLimit());
        Assert.Equal(2, server.ChannelCount);
        Assert.Equal([$"tester@{Environment.MachineName}"], server.Clients);

        var seen = new List<double>();
        var monitor = await channel.SubscribeAsync(v => { lock (seen) seen.Add((double)v.Value); }, cancellationToken: TimeLimit());
        monitor.Dispose();
        await channel.GetAsync(cancellationToken: TimeLimit()); // the circuit is ordered: EVENT_CANCEL was handled first
        pv.Update(60.0);
        await channel.GetAsync(cancellationToken: TimeLimit()); // an update sent before this reply would have arrived by now
        lock (seen) Assert.Equal([50.0], seen);

        await second.DisposeAsync();
        Assert.Equal(CaConnectionState.Closed, second.State);
        await Eventually.True(() => server.ChannelCount == 1, "CLEAR_CHANNEL to reach the server");
        Assert.Equal(1, server.CircuitCount);
    }

    [Fact]
    public void Options_bind_from_the_ChannelAccess_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ChannelAccess:AddressList"] = "127.0.0.1:15064",
            ["ChannelAccess:AutoAddressList"] = "false",
            ["ChannelAccess:ConnectionTimeout"] = "00:00:05",
            ["ChannelAccess:ClientName"] = "dcs",
        }).Build();
        var options = configuration.GetSection(ChannelAccessOptions.SectionName).Get<ChannelAccessOptions>()!;
        options.Validate();
        Assert.Equal(["127.0.0.1:15064"], options.SearchDestinations().Select(e => e.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(5), options.ConnectionTimeout);
        Assert.Equal("dcs", options.ClientName);
    }
}
