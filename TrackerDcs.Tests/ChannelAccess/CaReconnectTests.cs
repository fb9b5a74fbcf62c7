using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.ChannelAccess;
using static TrackerDcs.Tests.ChannelAccess.CaTest;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>Servers that go away: our client against our server restarted, and against a silent peer.</summary>
public class CaReconnectTests
{
    [Fact]
    public async Task After_a_server_restart_the_channel_reconnects_and_its_monitor_resumes()
    {
        var imon = new ProcessVariable("test:12:000:IMon", CaType.Double, 1.0) { Units = "uA" };
        await using var server = StartServer([imon]);
        await using var client = new CaClient(OptionsFor(server.SearchPort));
        var channel = await client.ConnectAsync(imon.Name, TimeLimit());
        var states = new List<CaConnectionState>();
        channel.StateChanged += (_, state) => { lock (states) states.Add(state); };
        var values = new List<double>();
        using var monitor = await channel.SubscribeAsync(v => { lock (values) values.Add((double)v.Value); }, cancellationToken: TimeLimit());

        await server.StopAsync();
        await Eventually.True(() => channel.State == CaConnectionState.Disconnected, "the channel to drop");
        await Assert.ThrowsAsync<CaException>(() => channel.GetAsync());

        imon.Update(2.0);
        server.Start();
        await channel.WaitConnectedAsync(TimeLimit());
        await Eventually.True(() => { lock (values) return values.Contains(2.0); }, "the monitor to resume");
        imon.Update(3.0);
        await Eventually.True(() => { lock (values) return values.Contains(3.0); }, "an update after the restart");
        Assert.Equal(3.0, (await channel.GetAsync(cancellationToken: TimeLimit())).Value);
        lock (states) Assert.Equal([CaConnectionState.Disconnected, CaConnectionState.Connected], states);
    }

    [Fact]
    public async Task A_server_disconnecting_one_channel_makes_it_search_and_reconnect()
    {
        var pv = new ProcessVariable("test:00:000:Temp", CaType.Float, 21.5f);
        await using var server = StartServer([pv]);
        await using var client = new CaClient(OptionsFor(server.SearchPort));
        var channel = await client.ConnectAsync(pv.Name, TimeLimit());
        var dropped = new TaskCompletionSource();
        channel.StateChanged += (_, state) => { if (state == CaConnectionState.Disconnected) dropped.TrySetResult(); };

        Assert.Equal(1, server.DisconnectChannels(pv.Name));
        await dropped.Task.WaitAsync(TimeLimit());
        await channel.WaitConnectedAsync(TimeLimit());
        Assert.Equal(21.5f, (await channel.GetAsync(cancellationToken: TimeLimit())).Value);
    }

    [Fact]
    public async Task A_server_that_stops_answering_echoes_is_dropped()
    {
        await using var peer = new SilentCaPeer();
        var options = new ChannelAccessOptions { AutoAddressList = false, NameServers = $"127.0.0.1:{peer.Port}" };
        var clock = new FakeTimeProvider();
        await using var client = new CaClient(options, time: clock);
        var channel = await client.ConnectAsync("test:Hung", TimeLimit());
        var dropped = new TaskCompletionSource();
        channel.StateChanged += (_, state) => { if (state == CaConnectionState.Disconnected) dropped.TrySetResult(); };

        // The circuits' clocks stand still until moved: silence for the connection timeout brings an echo.
        clock.Advance(options.ConnectionTimeout);
        await Eventually.True(() => peer.EchoesReceived > 0, "an echo after the connection timeout");
        Assert.Equal(CaConnectionState.Connected, channel.State);
        clock.Advance(options.EchoTimeout);
        await dropped.Task.WaitAsync(TimeLimit());
    }

    [Fact]
    public async Task A_restarted_server_is_found_by_its_beacons_long_before_the_next_search()
    {
        var pv = new ProcessVariable("test:00:000:IMon", CaType.Double, 0.5);
        await using var server = StartServer([pv]);
        var options = OptionsFor(server.SearchPort);
        options.InitialSearchPeriod = options.MaxSearchPeriod = TimeSpan.FromMinutes(5);
        await using var client = new CaClient(options);
        var channel = await client.ConnectAsync(pv.Name, TimeLimit());
        var searches = client.SearchesSent;

        await server.StopAsync();
        await Eventually.True(() => channel.State == CaConnectionState.Disconnected, "the channel to drop");
        // The search sent on disconnection goes unanswered (the search port is closed); the next is minutes away.
        await Eventually.True(() => client.SearchesSent > searches, "the search on disconnection");
        server.Start();

        await channel.WaitConnectedAsync(TimeLimit());
        Assert.Equal(0.5, (await channel.GetAsync(cancellationToken: TimeLimit())).Value);
    }
}
