using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;

namespace TrackerDcs.Tests.Caen;

public class ChannelFsmTests
{
    private const int AllBits = 1 << 12;

    // The rule of docs/architecture.md ("Channel state") written out independently, with the one refinement of ChannelFsm: LV ramp bits are no fault.
    private static CaenState Expected(int lv, int hv)
    {
        if (hv > 5) return CaenState.Error;
        if ((lv & ~0b111) != 0) return CaenState.Error;
        if ((lv & 1) == 0) return CaenState.LvOff;
        return hv switch { 3 => CaenState.HvRamp, 4 or 5 => CaenState.HvRampDown, 1 => CaenState.HvOn, _ => CaenState.LvOn };
    }

    [Fact]
    public void Every_HV_status_word_with_every_healthy_LV_word()
    {
        for (var lv = 0; lv < 8; lv++)
            for (var hv = 0; hv < AllBits; hv++)
                Assert.True(Expected(lv, hv) == ChannelFsm.Derive(lv, hv), $"lv={lv} hv={hv}");
    }

    [Fact]
    public void Every_LV_status_word_with_every_HV_word_up_to_a_fault()
    {
        for (var lv = 0; lv < AllBits; lv++)
            for (var hv = 0; hv < 8; hv++)
                Assert.True(Expected(lv, hv) == ChannelFsm.Derive(lv, hv), $"lv={lv} hv={hv}");
    }

    [Theory]
    [InlineData(0, 0, CaenState.LvOff)]
    [InlineData(1, 0, CaenState.LvOn)]
    [InlineData(3, 0, CaenState.LvOn)]       // LV ramping up is not an error
    [InlineData(1, 3, CaenState.HvRamp)]
    [InlineData(1, 5, CaenState.HvRampDown)]   // on, ramping down to a lower set point
    [InlineData(1, 4, CaenState.HvRampDown)]   // switched off, still falling: HV is live, not LV_ON
    [InlineData(1, 1, CaenState.HvOn)]
    [InlineData(1, 9, CaenState.Error)]      // HV over-current
    [InlineData(1, 0x200, CaenState.Error)]  // HV internal trip
    [InlineData(0x201, 0, CaenState.Error)]  // LV internal trip
    [InlineData(0x800, 0x800, CaenState.Error)] // unplugged
    [InlineData(0, 1, CaenState.LvOff)]      // the channel says LV_OFF; the crate calls this ERROR
    public void Examples_from_the_design(int lv, int hv, CaenState state) => Assert.Equal(state, ChannelFsm.Derive(lv, hv));

    [Theory]
    [InlineData(false, false, null, null, CaenState.Init)]
    [InlineData(false, true, 1, 1, CaenState.Init)]
    [InlineData(true, false, 1, 1, CaenState.Disconnected)]
    [InlineData(true, true, null, null, CaenState.Connected)]
    [InlineData(true, true, 1, null, CaenState.Connected)]
    [InlineData(true, true, null, 1, CaenState.Connected)]
    [InlineData(true, true, 1, 1, CaenState.HvOn)]
    public void Link_states_come_before_the_status_words(bool started, bool connected, int? lv, int? hv, CaenState state) =>
        Assert.Equal(state, ChannelFsm.Derive(new ChannelObservation(started, connected, lv, hv)));

    [Theory]
    [InlineData(true, 1, 1, CaenState.Unavailable)]      // a missing PV hides what the status words say
    [InlineData(true, null, null, CaenState.Unavailable)]
    [InlineData(false, 1, 1, CaenState.HvOn)]
    public void A_missing_pv_makes_a_connected_channel_unavailable(bool missing, int? lv, int? hv, CaenState state)
    {
        Assert.Equal(state, ChannelFsm.Derive(new ChannelObservation(true, true, lv, hv, missing)));
        Assert.Equal(CaenState.Disconnected, ChannelFsm.Derive(new ChannelObservation(true, false, lv, hv, missing)));
    }

    public static TheoryData<CaenState, CaenState, bool> AllPairs()
    {
        // The seed's chain, plus what the hardware does by itself (faults, link loss, kill trips, fast ramps).
        var expected = new HashSet<(CaenState, CaenState)>
        {
            (CaenState.Init, CaenState.Disconnected), (CaenState.Init, CaenState.Connected),
            (CaenState.Disconnected, CaenState.Connected), (CaenState.Connected, CaenState.Disconnected),
            (CaenState.Connected, CaenState.Unavailable), (CaenState.Unavailable, CaenState.Connected),
            (CaenState.Disconnected, CaenState.Unavailable), (CaenState.Unavailable, CaenState.Disconnected),
            (CaenState.LvOff, CaenState.LvOn), (CaenState.LvOn, CaenState.LvOff),
            (CaenState.LvOn, CaenState.HvRamp), (CaenState.HvRamp, CaenState.LvOn),
            (CaenState.HvRamp, CaenState.HvOn), (CaenState.HvOn, CaenState.HvRamp),
            (CaenState.HvOn, CaenState.LvOn), (CaenState.LvOn, CaenState.HvOn),
            (CaenState.HvOn, CaenState.HvRampDown), (CaenState.HvRamp, CaenState.HvRampDown),
            (CaenState.HvRampDown, CaenState.LvOn), (CaenState.HvRampDown, CaenState.HvOn), (CaenState.HvRampDown, CaenState.HvRamp),
        };
        CaenState[] read = [CaenState.LvOff, CaenState.LvOn, CaenState.HvRamp, CaenState.HvOn, CaenState.HvRampDown, CaenState.Error];
        foreach (var s in read)
        {
            expected.Add((CaenState.Connected, s));
            expected.Add((s, CaenState.Disconnected));
            expected.Add((s, CaenState.Error));
            expected.Add((CaenState.Error, s));
            expected.Add((CaenState.Unavailable, s));    // a missing PV came back
            expected.Add((s, CaenState.Unavailable));    // a PV went missing while the IOC stayed
            expected.Add((CaenState.Disconnected, s));   // the status words were read before the link counted as up
        }
        CaenState[] channelStates = [.. Enum.GetValues<CaenState>().Except([CaenState.LvMix, CaenState.HvMix])];
        var data = new TheoryData<CaenState, CaenState, bool>();
        foreach (var from in channelStates)
            foreach (var to in channelStates)
                data.Add(from, to, from == to || expected.Contains((from, to)));
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Transition_table_covers_every_pair(CaenState from, CaenState to, bool expected) =>
        Assert.Equal(expected, ChannelFsm.IsExpected(from, to));

    [Fact]
    public void Wire_names_are_the_seeds()
    {
        Assert.Equal(["INIT", "DISCONNECTED", "CONNECTED", "UNAVAILABLE", "LV_OFF", "LV_ON", "HV_RAMP", "HV_ON", "HV_RAMP_DOWN", "ERROR", "LV_MIX", "HV_MIX"],
            Enum.GetValues<CaenState>().Select(s => s.Wire()));
    }

    [Fact]
    public void Status_words_decode_into_words()
    {
        Assert.Equal(["off"], CaenStatusWords.Describe(0));
        Assert.Equal(["on", "ramping up"], CaenStatusWords.Describe(3));
        Assert.Equal("on, over-current, internal trip", CaenStatusWords.Text((int)(CaenStatus.On | CaenStatus.OverCurrent | CaenStatus.InternalTrip)));
        Assert.Equal(["unplugged", "unknown bits 0x1000"], CaenStatusWords.Describe(0x1800));
        for (var bit = 0; bit < 12; bit++) Assert.Single(CaenStatusWords.Describe(1 << bit));
    }
}
