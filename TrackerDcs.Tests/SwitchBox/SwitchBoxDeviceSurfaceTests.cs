using TrackerDcs.Hardware;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Tests.Julabo;

namespace TrackerDcs.Tests.SwitchBox;

/// <summary>What a host relies on: settings refused by name, concurrent commands that cannot break the channel limit, change events in order.</summary>
public class SwitchBoxDeviceSurfaceTests
{
    [Fact]
    public void Unusable_settings_are_refused_naming_each_problem()
    {
        var settings = new SwitchBoxSettings("ttyUSB0")
        {
            MaxEnabledChannels = 0,
            PollPeriod = TimeSpan.Zero,
            ReplyTimeout = TimeSpan.FromSeconds(-1),
            ReconnectDelayMin = TimeSpan.FromSeconds(10),
            ReconnectDelayMax = TimeSpan.FromSeconds(5),
            Serial = new(0),
        };
        Assert.Equal([
            "Port \"ttyUSB0\" is neither a serial device path nor host:port",
            "Serial:BaudRate 0 must be positive",
            "MaxEnabledChannels 0 must be 1..48",
            "PollPeriod must be positive",
            "ReplyTimeout must be positive",
            "ReconnectDelayMin must be positive and not above ReconnectDelayMax",
        ], settings.Validate());
        Assert.Contains("MaxEnabledChannels 0 must be 1..48", Assert.Throws<ArgumentException>(() => new SwitchBoxDevice(settings)).Message);
        Assert.Empty(new SwitchBoxSettings("/dev/ttyUSB0").Validate());
        Assert.Equal("115200 8N1", new SwitchBoxSettings("/dev/ttyUSB0").Serial.ToString());
    }

    [Fact]
    public async Task Commands_sent_at_once_from_many_callers_never_enable_more_channels_than_allowed()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp);
        await rig.WaitForState(SwitchBoxState.LvOff);

        var results = await Task.WhenAll(Enumerable.Range(1, 12).Select(channel => Task.Run(() => rig.Device.SwitchChannelAsync(channel, true))));

        Assert.Equal(4, results.Count(r => r.Ok));
        Assert.All(results.Where(r => !r.Ok), r => Assert.Contains("(rule max-channels)", r.Error));
        Assert.Equal(4, rig.Simulator.Status.EnabledCount);
        Assert.Equal(4, rig.Simulator.CommandsReceived);
        Assert.Equal(SwitchBoxState.LvOff, rig.Device.Snapshot.State);
    }

    [Fact]
    public async Task Change_events_end_on_the_latest_snapshot_and_a_failing_handler_harms_nothing()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp);
        rig.Device.SnapshotChanged += _ => throw new InvalidOperationException("a broken subscriber");
        await rig.WaitForState(SwitchBoxState.LvOff);

        Assert.Equal(CommandResult.Done, await rig.Device.ExecuteAsync(SwitchBoxCommand.LvOn));
        Assert.Equal(CommandResult.Done, await rig.Device.SwitchChannelAsync(9, true));
        Assert.Equal(rig.Device.Snapshot, rig.Changes.Last());
        Assert.Equal(new SwitchBoxStatus(true, false, 1UL << 8), rig.Changes.Last().Status);
    }
}
