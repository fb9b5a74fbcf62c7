using TrackerDcs.Hardware;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Tests.Julabo;
using static TrackerDcs.Tests.SwitchBox.SwitchBoxRig;

namespace TrackerDcs.Tests.SwitchBox;

/// <summary>A pulled cable, a hung box, noise, lost and repeated answers, and a relay stuck on, against the simulator over real links.</summary>
public class SwitchBoxFaultTests
{
    [Theory]
    [InlineData(Link.Tcp)]
    [InlineData(Link.Pty)]
    public async Task A_pulled_cable_makes_it_DISCONNECTED_refuses_commands_without_throwing_and_it_recovers_alone(Link link)
    {
        await using var rig = new SwitchBoxRig(link);
        await rig.WaitForState(SwitchBoxState.LvOff);
        await Done(rig.Device.SwitchChannelAsync(2, true));
        await Done(rig.Device.ExecuteAsync(SwitchBoxCommand.LvOn));

        rig.Unplug();
        await rig.WaitForState(SwitchBoxState.Disconnected);
        var lost = rig.Device.Snapshot;
        Assert.NotNull(lost.LastError);
        Assert.Equal(new SwitchBoxStatus(true, false, 0b10), lost.Status); // the last known, kept
        var before = rig.Simulator.CommandsReceived;
        Assert.Equal(CommandResult.Refused("HV|ON refused: not allowed while the switch box is DISCONNECTED (allowed in LV_OFF, LV_ON, HV_ON)"),
            await rig.Device.ExecuteAsync(SwitchBoxCommand.HvOn));
        Assert.Equal(before, rig.Simulator.CommandsReceived);

        rig.Plug();
        await rig.WaitForState(SwitchBoxState.LvOn);
        Assert.Null(rig.Device.Snapshot.LastError);
        await Done(rig.Device.ExecuteAsync(SwitchBoxCommand.HvOn));
    }

    [Fact]
    public async Task A_box_that_stops_answering_is_DISCONNECTED_and_picked_up_again_when_it_answers()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp);
        await rig.WaitForState(SwitchBoxState.LvOff);

        rig.Simulator.StopAnswering();
        await rig.WaitForState(SwitchBoxState.Disconnected);
        Assert.Contains("no status in answer to STATUS? within 2000 ms", rig.Device.Snapshot.LastError);

        rig.Simulator.Resume();
        await rig.WaitForState(SwitchBoxState.LvOff);
        await Done(rig.Device.ExecuteAsync(SwitchBoxCommand.LvOn));
    }

    [Fact]
    public async Task A_command_to_a_box_that_hangs_is_refused_as_not_confirmed_and_never_throws()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp, s => s with { PollPeriod = TimeSpan.FromHours(1) });
        await rig.WaitForState(SwitchBoxState.LvOff);

        rig.Simulator.StopAnswering();
        var result = await rig.Device.ExecuteAsync(SwitchBoxCommand.LvOn);
        Assert.False(result.Ok);
        Assert.StartsWith("LV|ON not confirmed: lost the switch box: ", result.Error);
        Assert.Contains("no status in answer to STATUS?", result.Error);
        Assert.Equal(SwitchBoxState.Disconnected, rig.Device.Snapshot.State);
        // The command was sent once, then the status asked for twice; a switching command is never repeated.
        Assert.Equal(["STATUS?", "LV|ON", "STATUS?", "STATUS?"], rig.Received.Take(4));
    }

    [Fact]
    public async Task A_garbled_or_lost_answer_is_read_back_and_the_link_stays_up()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp, s => s with { PollPeriod = TimeSpan.FromHours(1) });
        await rig.WaitForState(SwitchBoxState.LvOff);

        rig.Simulator.SendGarbage(1);
        await Done(rig.Device.ExecuteAsync(SwitchBoxCommand.LvOn));
        rig.Simulator.DropAnswers(1);
        await Done(rig.Device.SwitchChannelAsync(12, true));
        Assert.Equal(["STATUS?", "LV|ON", "STATUS?", "CH12|ON", "STATUS?"], rig.Received);
        Assert.Equal((SwitchBoxState.LvOn, 1UL << 11), (rig.Device.Snapshot.State, rig.Device.Snapshot.ChannelMask));
        Assert.DoesNotContain(SwitchBoxState.Disconnected, rig.States());
    }

    [Fact]
    public async Task Extra_answers_are_never_taken_for_a_later_commands_result()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp, s => s with { PollPeriod = TimeSpan.FromHours(1) });
        await rig.WaitForState(SwitchBoxState.LvOff);

        rig.Simulator.RepeatAnswers(3);
        await Done(rig.Device.SwitchChannelAsync(1, true));
        await Done(rig.Device.SwitchChannelAsync(2, true));
        await Done(rig.Device.ExecuteAsync(SwitchBoxCommand.LvOn));
        await Done(rig.Device.ExecuteAsync(SwitchBoxCommand.HvOn));
        Assert.Equal(new SwitchBoxStatus(true, true, 0b11), rig.Device.Snapshot.Status);
        Assert.Equal(SwitchBoxState.HvOn, rig.Device.Snapshot.State);
    }

    [Fact]
    public async Task Persistent_noise_is_a_lost_link_quoting_what_came()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp);
        await rig.WaitForState(SwitchBoxState.LvOff);

        rig.Simulator.SendGarbage(int.MaxValue);
        await rig.WaitForState(SwitchBoxState.Disconnected);
        Assert.Contains("instead: status line is not printable ASCII: \"\\xFF\\xA7{#?\\x15\"", rig.Device.Snapshot.LastError);

        rig.Simulator.SendGarbage(0);
        await rig.WaitForState(SwitchBoxState.LvOff);
    }

    [Fact]
    public async Task A_relay_stuck_on_beyond_the_limit_is_ERROR_where_only_switching_off_is_allowed()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp);
        await rig.WaitForState(SwitchBoxState.LvOff);
        foreach (var channel in new[] { 1, 2, 3, 4 }) await Done(rig.Device.SwitchChannelAsync(channel, true));
        await Done(rig.Device.ExecuteAsync(SwitchBoxCommand.LvOn));

        rig.Simulator.ForceChannelOn(7);
        await rig.WaitForState(SwitchBoxState.Error);
        Assert.Equal("the box reports 5 channels (1, 2, 3, 4, 7) enabled, against the rule at most 4 channels enabled at once (rule max-channels)",
            rig.Device.Snapshot.LastError);
        var before = rig.Simulator.CommandsReceived;
        Assert.Equal(CommandResult.Refused("HV|ON refused: not allowed while the switch box is ERROR (only switching off is allowed until the status keeps the rules)"),
            await rig.Device.ExecuteAsync(SwitchBoxCommand.HvOn));
        Assert.Equal(before, rig.Simulator.CommandsReceived);

        // Switching one of the others off brings the box back within the rules.
        await Done(rig.Device.SwitchChannelAsync(1, false));
        Assert.Equal(SwitchBoxState.LvOn, rig.Device.Snapshot.State);
        Assert.Null(rig.Device.Snapshot.LastError);
        Assert.Equal([2, 3, 4, 7], rig.Device.Snapshot.EnabledChannels);
        Assert.Equal(CommandResult.Refused("CH7|OFF was sent, but the box reports LV on, HV off, channels 2, 3, 4, 7 enabled"),
            await rig.Device.SwitchChannelAsync(7, false));

        // The relay repaired, it switches again.
        rig.Simulator.Unstick();
        await Done(rig.Device.SwitchChannelAsync(7, false));
        Assert.Equal([2, 3, 4], rig.Device.Snapshot.EnabledChannels);
    }

    [Fact]
    public async Task HV_found_on_without_LV_is_ERROR_and_HV_off_is_the_way_out()
    {
        await using var rig = new SwitchBoxRig(Link.Tcp, box: b => b.SetRelays(new SwitchBoxStatus(false, true, 0b100)));
        await rig.WaitForState(SwitchBoxState.Error);
        Assert.Equal("the box reports HV on with LV off, against the rule HV on only with LV on (rule hv-needs-lv)", rig.Device.Snapshot.LastError);

        Assert.Equal(CommandResult.Refused("LV|OFF refused: LV off only with HV off (rule lv-off-needs-hv-off): HV is on"),
            await rig.Device.ExecuteAsync(SwitchBoxCommand.LvOff));
        await Done(rig.Device.ExecuteAsync(SwitchBoxCommand.HvOff));
        Assert.Equal(SwitchBoxState.LvOff, rig.Device.Snapshot.State);
        Assert.Equal(0, rig.Received.Count(l => l is "LV|OFF"));
    }
}
