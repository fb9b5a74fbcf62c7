using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using static TrackerDcs.Hardware.Caen.CaenState;

namespace TrackerDcs.Tests.Caen;

public class CrateFsmTests
{
    private static ChannelSnapshot C(CaenState state) => state switch
    {
        LvOff => new(state, 0, 0),
        LvOn => new(state, 1, 0),
        HvRamp => new(state, 1, 3),
        HvOn => new(state, 1, 1),
        HvRampDown => new(state, 1, 5),
        Error => new(state, 1, 9),
        _ => new(state, null, null),
    };

    [Theory]
    [InlineData(new CaenState[0], Init)]
    [InlineData(new[] { LvOff, LvOff }, LvOff)]
    [InlineData(new[] { LvOn, LvOn }, LvOn)]
    [InlineData(new[] { HvOn, HvOn }, HvOn)]
    [InlineData(new[] { HvRamp, HvRamp }, HvRamp)]
    [InlineData(new[] { HvRamp, HvOn }, HvRamp)]          // channels finish a ramp one by one
    [InlineData(new[] { LvOff, LvOn }, LvMix)]
    [InlineData(new[] { LvOff, HvOn }, LvMix)]
    [InlineData(new[] { LvOn, HvOn }, HvMix)]
    [InlineData(new[] { LvOn, HvRampDown }, HvRampDown)]   // channels finish ramping down one by one
    [InlineData(new[] { HvOn, HvRampDown }, HvRampDown)]
    [InlineData(new[] { LvOff, HvRampDown }, HvRampDown)]
    [InlineData(new[] { LvOn, HvRamp }, HvMix)]
    [InlineData(new[] { HvOn, Error }, Error)]
    [InlineData(new[] { Error, Disconnected }, Error)]
    [InlineData(new[] { HvOn, Disconnected }, Disconnected)]
    [InlineData(new[] { Disconnected, Init }, Disconnected)]
    [InlineData(new[] { LvOn, Init }, Init)]
    [InlineData(new[] { LvOn, Connected }, Connected)]
    [InlineData(new[] { Connected, Init }, Init)]
    [InlineData(new[] { Unavailable, LvOn }, LvOn)]       // the crate is what the channels it commands are
    [InlineData(new[] { Unavailable, LvOff, LvOn }, LvMix)]
    [InlineData(new[] { Unavailable, Unavailable }, Unavailable)]
    [InlineData(new[] { Unavailable, Disconnected }, Disconnected)]
    [InlineData(new[] { Unavailable, Connected }, Connected)]
    public void Aggregates_the_active_channels(CaenState[] channels, CaenState crate) =>
        Assert.Equal(crate, CrateFsm.Aggregate(channels.Select(C).ToList()));

    [Fact]
    public void LV_off_under_HV_is_an_error_of_the_crate()
    {
        var lvDroppedUnderHv = new ChannelSnapshot(LvOff, 0, 1);
        Assert.True(lvDroppedUnderHv.LvOffUnderHv);
        Assert.Equal(Error, CrateFsm.Aggregate([lvDroppedUnderHv, C(LvOff)]));
    }

    [Fact]
    public void A_fault_of_an_unavailable_channel_is_an_error_of_the_crate()
    {
        Assert.Equal(Error, CrateFsm.Aggregate([new ChannelSnapshot(Unavailable, 1, 9), C(LvOn)]));   // HV over-current
        Assert.Equal(Error, CrateFsm.Aggregate([new ChannelSnapshot(Unavailable, 0, 1), C(LvOff)]));  // LV off under HV
        Assert.Equal(LvOn, CrateFsm.Aggregate([new ChannelSnapshot(Unavailable, 1, 0), C(LvOn)]));
    }

    [Fact]
    public void Every_pair_of_channel_states_aggregates_by_the_ordered_rules()
    {
        CaenState[] states = [Init, Disconnected, Connected, LvOff, LvOn, HvRamp, HvOn, HvRampDown, Error];
        foreach (var a in states)
            foreach (var b in states)
            {
                var set = new[] { a, b };
                CaenState expected =
                    set.Contains(Error) ? Error
                    : set.Contains(Disconnected) ? Disconnected
                    : set.Contains(Init) ? Init
                    : set.Contains(Connected) ? Connected
                    : set.Contains(HvRampDown) ? HvRampDown
                    : set.Contains(LvOff) && a != b ? LvMix
                    : set.Contains(LvOn) && a != b ? HvMix
                    : set.Contains(HvRamp) ? HvRamp
                    : a;
                Assert.True(expected == CrateFsm.Aggregate([C(a), C(b)]), $"{a} + {b}");
            }
    }

    [Theory]
    [InlineData(CaenCommand.HvOn, LvOn, false, null)]
    [InlineData(CaenCommand.HvOn, LvOff, false, "HV can only be switched on from LV_ON (crate is LV_OFF)")]
    [InlineData(CaenCommand.HvOn, HvMix, true, "HV can only be switched on from LV_ON (crate is HV_MIX)")]
    [InlineData(CaenCommand.LvOff, LvOn, false, null)]
    [InlineData(CaenCommand.LvOff, LvMix, false, null)]
    [InlineData(CaenCommand.LvOff, LvMix, true, "LV can only be switched off when HV is off (crate is LV_MIX)")]
    [InlineData(CaenCommand.LvOff, HvOn, true, "LV can only be switched off when HV is off (crate is HV_ON)")]
    [InlineData(CaenCommand.LvOff, HvRampDown, true, "LV off is refused while HV ramps down (crate is HV_RAMP_DOWN)")]
    [InlineData(CaenCommand.LvOff, Error, false, null)]
    [InlineData(CaenCommand.LvOn, LvOff, false, null)]
    [InlineData(CaenCommand.LvOn, Error, false, "LV can only be switched on from LV_OFF or LV_MIX (crate is ERROR)")]
    [InlineData(CaenCommand.HvOff, Error, true, null)]
    [InlineData(CaenCommand.HvOff, Disconnected, true, "cannot command HV: the crate is not reachable (crate is DISCONNECTED)")]
    public void Guards_explain_a_refusal(CaenCommand command, CaenState crate, bool hvLive, string? reason) =>
        Assert.Equal(reason, CommandGuards.Check(command, crate, hvLive));

    [Fact]
    public void Every_command_in_every_crate_state_has_a_verdict()
    {
        foreach (var command in Enum.GetValues<CaenCommand>())
            foreach (var state in Enum.GetValues<CaenState>())
                foreach (var hvLive in new[] { false, true })
                {
                    var reason = CommandGuards.Check(command, state, hvLive);
                    var allowed = command switch
                    {
                        CaenCommand.LvOn => state is LvOff or LvMix or LvOn,
                        CaenCommand.HvOn => state is LvOn,
                        CaenCommand.LvOff => state is not (Init or Disconnected or Connected) && !hvLive,
                        _ => state is not (Init or Disconnected),
                    };
                    Assert.True(allowed == (reason is null), $"{command} in {state} (hvLive {hvLive}): {reason}");
                    if (reason is not null) Assert.EndsWith($"(crate is {state.Wire()})", reason);
                }
    }
}
