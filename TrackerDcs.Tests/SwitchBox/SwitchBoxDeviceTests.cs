using TrackerDcs.Hardware;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Tests.Julabo;
using static TrackerDcs.Tests.SwitchBox.SwitchBoxRig;

namespace TrackerDcs.Tests.SwitchBox;

/// <summary>The device against the simulated box over a real link: TCP on 127.0.0.1 and a socat pty pair at 115200 8N1.</summary>
public class SwitchBoxDeviceTests
{
    [Theory]
    [InlineData(Link.Tcp)]
    [InlineData(Link.Pty)]
    public async Task Switches_channels_LV_and_HV_and_the_state_follows_each_command_within_its_round_trip(Link link)
    {
        await using var rig = new SwitchBoxRig(link);
        var device = rig.Device;
        await rig.WaitForState(SwitchBoxState.LvOff);
        Assert.Equal(SwitchBoxStatus.AllOff, device.Snapshot.Status);

        await Done(device.SwitchChannelAsync(3, true));
        await Done(device.SwitchChannelAsync(48, true));
        Assert.Equal([3, 48], device.Snapshot.EnabledChannels);
        await Done(device.ExecuteAsync(SwitchBoxCommand.LvOn));
        Assert.Equal(SwitchBoxState.LvOn, device.Snapshot.State);
        await Done(device.ExecuteAsync(SwitchBoxCommand.HvOn));
        var on = device.Snapshot;
        Assert.Equal((SwitchBoxState.HvOn, "HV_ON", true, true, (1UL << 2) | (1UL << 47), (string?)null),
            (on.State, on.FsmState, on.Lv, on.Hv, on.ChannelMask, on.LastError));
        Assert.Equal(new SwitchBoxStatus(true, true, (1UL << 2) | (1UL << 47)), rig.Simulator.Status);

        await Done(device.ExecuteAsync(SwitchBoxCommand.HvOff));
        Assert.Equal(SwitchBoxState.LvOn, device.Snapshot.State);
        await Done(device.ExecuteAsync(SwitchBoxCommand.LvOff));
        await Done(device.ExecuteAsync(SwitchBoxCommand.AllChannelsOff));
        Assert.Equal((SwitchBoxState.LvOff, 0UL), (device.Snapshot.State, device.Snapshot.ChannelMask));
        Assert.Equal(SwitchBoxStatus.AllOff, rig.Simulator.Status);
        Assert.Equal(["CH3|ON", "CH48|ON", "LV|ON", "HV|ON", "HV|OFF", "LV|OFF", "CH*|OFF"], rig.Received.Where(l => l != "STATUS?"));
        Assert.Equal(
            [SwitchBoxState.Connected, SwitchBoxState.LvOff, SwitchBoxState.LvOn, SwitchBoxState.HvOn, SwitchBoxState.LvOn, SwitchBoxState.LvOff],
            rig.States());
    }

    [Theory]
    [InlineData(Link.Tcp)]
    [InlineData(Link.Pty)]
    public async Task Every_rule_is_refused_with_its_reason_and_nothing_reaches_the_box(Link link)
    {
        await using var rig = new SwitchBoxRig(link);
        var device = rig.Device;
        var box = rig.Simulator;
        await rig.WaitForState(SwitchBoxState.LvOff);

        async Task Refused(SwitchBoxCommand command, string reason)
        {
            var before = box.CommandsReceived;
            var result = await device.ExecuteAsync(command);
            Assert.Equal(CommandResult.Refused(reason), result);
            Assert.Equal(before, box.CommandsReceived);
        }

        await Refused(SwitchBoxCommand.HvOn, "HV|ON refused: HV on only with LV on (rule hv-needs-lv): LV is off");
        foreach (var channel in new[] { 1, 2, 3, 4 }) await Done(device.SwitchChannelAsync(channel, true));
        await Refused(SwitchBoxCommand.Switch(5, true),
            "CH5|ON refused: at most 4 channels enabled at once (rule max-channels): 4 channels (1, 2, 3, 4) already enabled");
        await Done(device.ExecuteAsync(SwitchBoxCommand.LvOn));
        await Done(device.ExecuteAsync(SwitchBoxCommand.HvOn));
        await Refused(SwitchBoxCommand.LvOff, "LV|OFF refused: LV off only with HV off (rule lv-off-needs-hv-off): HV is on");
        await Refused(SwitchBoxCommand.Switch(1, false), "CH1|OFF refused: channels change only while HV is off (rule channels-need-hv-off): HV is on");
        await Refused(SwitchBoxCommand.Switch(9, true), "CH9|ON refused: channels change only while HV is off (rule channels-need-hv-off): HV is on");
        await Refused(SwitchBoxCommand.AllChannelsOff, "CH*|OFF refused: channels change only while HV is off (rule channels-need-hv-off): HV is on");

        var before = box.CommandsReceived;
        Assert.Equal(CommandResult.Refused("channel 49 does not exist (the box has channels 1..48)"), await device.SwitchChannelAsync(49, true));
        Assert.Equal(before, box.CommandsReceived);
        Assert.Equal(new SwitchBoxStatus(true, true, 0b1111), box.Status);
        Assert.Equal(SwitchBoxState.HvOn, device.Snapshot.State);
    }

    [Fact]
    public async Task The_limit_of_channels_is_configurable()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp, s => s with { MaxEnabledChannels = 2 });
        await rig.WaitForState(SwitchBoxState.LvOff);

        await Done(rig.Device.SwitchChannelAsync(10, true));
        await Done(rig.Device.SwitchChannelAsync(20, true));
        Assert.Equal(CommandResult.Refused("CH30|ON refused: at most 2 channels enabled at once (rule max-channels): 2 channels (10, 20) already enabled"),
            await rig.Device.SwitchChannelAsync(30, true));
        Assert.Equal("at most 2 channels enabled at once", rig.Device.Rules[0].Text);
        Assert.Equal(2, rig.Device.Snapshot.MaxEnabledChannels);
    }

    [Fact]
    public async Task STATUS_from_a_client_is_answered_from_the_last_status_without_asking_the_box()
    {
        // Polls far apart: the only STATUS? the box gets is the first poll's.
        await using var rig = new SwitchBoxRig(Link.Tcp, s => s with { PollPeriod = TimeSpan.FromHours(1) });
        await rig.WaitForState(SwitchBoxState.LvOff);
        await Done(rig.Device.ExecuteAsync(SwitchBoxCommand.LvOn));
        await Done(rig.Device.SwitchChannelAsync(7, true));
        Assert.Equal(1, rig.Simulator.QueriesReceived);
        var commands = rig.Simulator.CommandsReceived;

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(CommandResult.Done, await rig.Device.ExecuteAsync(SwitchBoxProtocol.ParseCommand("STATUS?")));
            var snapshot = rig.Device.Snapshot;
            Assert.Equal((true, false), (snapshot.Lv, snapshot.Hv));
            Assert.Equal([7], snapshot.EnabledChannels);
            Assert.Equal(rig.Simulator.Status, snapshot.Status);
        }
        Assert.Equal((1, commands), (rig.Simulator.QueriesReceived, rig.Simulator.CommandsReceived));
    }

    [Fact]
    public async Task A_command_the_box_does_not_carry_out_is_reported_with_what_the_box_says()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp);
        await rig.WaitForState(SwitchBoxState.LvOff);
        rig.Simulator.ForceChannelOn(5); // the relay is welded shut
        await rig.WaitFor(s => s.EnabledChannels.Contains(5), "channel 5 seen on by a poll");

        Assert.Equal(CommandResult.Refused("CH5|OFF was sent, but the box reports LV off, HV off, channel 5 enabled"),
            await rig.Device.SwitchChannelAsync(5, false));
        Assert.Contains("CH5|OFF", rig.Received);
    }
}
