using TrackerDcs.Hardware;
using TrackerDcs.Hardware.SwitchBox;
using static TrackerDcs.Hardware.SwitchBox.SwitchBoxState;
using static TrackerDcs.Hardware.SwitchBox.SwitchBoxEvent;

namespace TrackerDcs.Tests.SwitchBox;

/// <summary>The state table, the states a status puts the device in, and every rule refused with its reason.</summary>
public class SwitchBoxStateMachineTests
{
    private const int Max = 4;

    /// <summary>The whole table, written out: null where there is no transition (a bug in TrackerDcs if it is ever asked for).</summary>
    public static TheoryData<SwitchBoxState, SwitchBoxEvent, SwitchBoxState?> Table()
    {
        var rows = new TheoryData<SwitchBoxState, SwitchBoxEvent, SwitchBoxState?>
        {
            { Disconnected, LinkOpened, Connected },
            { Disconnected, LinkLost, Disconnected },
            { Disconnected, StatusLvOff, null },
            { Disconnected, StatusLvOn, null },
            { Disconnected, StatusHvOn, null },
            { Disconnected, StatusBreaksRule, null },
        };
        foreach (var linked in new[] { Connected, LvOff, LvOn, HvOn, Error })
        {
            rows.Add(linked, LinkOpened, null);
            rows.Add(linked, LinkLost, Disconnected);
            rows.Add(linked, StatusLvOff, LvOff);
            rows.Add(linked, StatusLvOn, LvOn);
            rows.Add(linked, StatusHvOn, HvOn);
            rows.Add(linked, StatusBreaksRule, Error);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void The_state_table(SwitchBoxState state, SwitchBoxEvent @event, SwitchBoxState? next)
    {
        if (next is { } expected) Assert.Equal(expected, SwitchBoxStateMachine.Next(state, @event));
        else Assert.Contains("a bug in TrackerDcs, not the box", Assert.Throws<InvalidOperationException>(() => SwitchBoxStateMachine.Next(state, @event)).Message);
    }

    [Fact]
    public void States_have_the_seeds_wire_names()
    {
        Assert.Equal(["DISCONNECTED", "CONNECTED", "LV_OFF", "LV_ON", "HV_ON", "ERROR"], Enum.GetValues<SwitchBoxState>().Select(s => s.Wire()));
    }

    [Theory]
    [InlineData(false, false, 0b1111UL, StatusLvOff)]
    [InlineData(true, false, 0b1111UL, StatusLvOn)]
    [InlineData(true, true, 0b1111UL, StatusHvOn)]
    [InlineData(true, true, 0UL, StatusHvOn)]
    [InlineData(false, true, 0UL, StatusBreaksRule)]
    [InlineData(true, false, 0b11111UL, StatusBreaksRule)]
    [InlineData(false, false, 0b11111UL, StatusBreaksRule)]
    public void A_status_is_the_event_of_its_relays_unless_it_breaks_a_rule(bool lv, bool hv, ulong channels, SwitchBoxEvent expected)
    {
        Assert.Equal(expected, SwitchBoxStateMachine.EventFor(new SwitchBoxStatus(lv, hv, channels), Max));
    }

    [Fact]
    public void A_status_that_breaks_a_rule_says_which_and_how()
    {
        Assert.Equal("the box reports HV on with LV off, against the rule HV on only with LV on (rule hv-needs-lv)",
            Describe(SwitchBoxRules.BrokenBy(new SwitchBoxStatus(false, true, 0), Max)));
        Assert.Equal("the box reports 5 channels (1, 2, 3, 4, 9) enabled, against the rule at most 4 channels enabled at once (rule max-channels)",
            Describe(SwitchBoxRules.BrokenBy(new SwitchBoxStatus(true, false, 0b1_0000_1111), Max)));
        Assert.Null(SwitchBoxRules.BrokenBy(new SwitchBoxStatus(true, true, 0b1111), Max));

        static string Describe((SwitchBoxRule Rule, string Why)? broken) => $"{broken!.Value.Why}, against the rule {broken.Value.Rule}";
    }

    private static readonly SwitchBoxStatus LvOffStatus = new(false, false, 0b11); // channels 1 and 2
    private static readonly SwitchBoxStatus LvOnStatus = new(true, false, 0b11);
    private static readonly SwitchBoxStatus HvOnStatus = new(true, true, 0b11);
    private static readonly SwitchBoxStatus FourChannels = new(true, false, 0b1111);

    public static TheoryData<string, SwitchBoxState, SwitchBoxStatus, string> EveryRule() => new()
    {
        { "HV|ON", LvOff, LvOffStatus, "HV|ON refused: HV on only with LV on (rule hv-needs-lv): LV is off" },
        { "LV|OFF", HvOn, HvOnStatus, "LV|OFF refused: LV off only with HV off (rule lv-off-needs-hv-off): HV is on" },
        { "CH3|ON", HvOn, HvOnStatus, "CH3|ON refused: channels change only while HV is off (rule channels-need-hv-off): HV is on" },
        { "CH1|OFF", HvOn, HvOnStatus, "CH1|OFF refused: channels change only while HV is off (rule channels-need-hv-off): HV is on" },
        { "CH*|OFF", HvOn, HvOnStatus, "CH*|OFF refused: channels change only while HV is off (rule channels-need-hv-off): HV is on" },
        { "CH5|ON", LvOn, FourChannels, "CH5|ON refused: at most 4 channels enabled at once (rule max-channels): 4 channels (1, 2, 3, 4) already enabled" },
        { "CH5|ON", LvOff, new SwitchBoxStatus(false, false, 0b1111), "CH5|ON refused: at most 4 channels enabled at once (rule max-channels): 4 channels (1, 2, 3, 4) already enabled" },
    };

    [Theory]
    [MemberData(nameof(EveryRule))]
    public void Every_rule_is_refused_naming_it(string line, SwitchBoxState state, SwitchBoxStatus status, string refusal)
    {
        Assert.Equal(refusal, SwitchBoxStateMachine.Refusal(SwitchBoxProtocol.ParseCommand(line), state, status, Max));
    }

    public static TheoryData<string, SwitchBoxState, SwitchBoxStatus> Allowed() => new()
    {
        { "LV|ON", LvOff, LvOffStatus },
        { "CH3|ON", LvOff, LvOffStatus },
        { "CH1|OFF", LvOn, LvOnStatus },
        { "HV|ON", LvOn, LvOnStatus },
        { "HV|OFF", HvOn, HvOnStatus },
        { "HV|ON", HvOn, HvOnStatus },
        { "LV|OFF", LvOn, LvOnStatus },
        { "HV|OFF", LvOff, LvOffStatus },
        // Switching on a channel that is already on enables no fifth one.
        { "CH4|ON", LvOn, FourChannels },
        { "CH4|OFF", LvOn, FourChannels },
        { "STATUS?", Disconnected, LvOnStatus },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Commands_that_keep_the_rules_are_allowed(string line, SwitchBoxState state, SwitchBoxStatus status)
    {
        Assert.Null(SwitchBoxStateMachine.Refusal(SwitchBoxProtocol.ParseCommand(line), state, status, Max));
    }

    [Fact]
    public void The_limit_of_channels_is_the_configured_one()
    {
        var two = new SwitchBoxStatus(true, false, 0b11);
        Assert.Equal("CH3|ON refused: at most 2 channels enabled at once (rule max-channels): 2 channels (1, 2) already enabled",
            SwitchBoxStateMachine.Refusal(SwitchBoxCommand.Switch(3, true), LvOn, two, maxEnabledChannels: 2));
        Assert.Null(SwitchBoxStateMachine.Refusal(SwitchBoxCommand.Switch(3, true), LvOn, two, maxEnabledChannels: 3));
        Assert.Equal("at most 1 channel enabled at once (rule max-channels)", SwitchBoxRules.MaxChannels(1).ToString());
    }

    [Theory]
    [InlineData("LV|ON")]
    [InlineData("HV|OFF")]
    [InlineData("CH1|OFF")]
    [InlineData("CH*|OFF")]
    public void Nothing_is_sent_without_a_known_status(string line)
    {
        Assert.Equal($"{line} refused: not allowed while the switch box is DISCONNECTED (allowed in LV_OFF, LV_ON, HV_ON{(line == "LV|ON" ? "" : ", ERROR")})",
            SwitchBoxStateMachine.Refusal(SwitchBoxProtocol.ParseCommand(line), Disconnected, null, Max));
        Assert.StartsWith($"{line} refused: not allowed while the switch box is CONNECTED",
            SwitchBoxStateMachine.Refusal(SwitchBoxProtocol.ParseCommand(line), Connected, null, Max));
    }

    [Fact]
    public void In_error_only_switching_off_is_allowed_and_the_rules_still_apply()
    {
        var hvWithoutLv = new SwitchBoxStatus(false, true, 0b1);
        foreach (var line in new[] { "LV|ON", "HV|ON", "CH2|ON" })
            Assert.Equal($"{line} refused: not allowed while the switch box is ERROR (only switching off is allowed until the status keeps the rules)",
                SwitchBoxStateMachine.Refusal(SwitchBoxProtocol.ParseCommand(line), Error, hvWithoutLv, Max));
        Assert.Null(SwitchBoxStateMachine.Refusal(SwitchBoxCommand.HvOff, Error, hvWithoutLv, Max));
        // HV is on: off first, then the rest.
        Assert.Equal("LV|OFF refused: LV off only with HV off (rule lv-off-needs-hv-off): HV is on",
            SwitchBoxStateMachine.Refusal(SwitchBoxCommand.LvOff, Error, hvWithoutLv, Max));
        Assert.Equal("CH1|OFF refused: channels change only while HV is off (rule channels-need-hv-off): HV is on",
            SwitchBoxStateMachine.Refusal(SwitchBoxCommand.Switch(1, false), Error, hvWithoutLv, Max));

        var fiveChannels = new SwitchBoxStatus(true, false, 0b11111);
        Assert.Null(SwitchBoxStateMachine.Refusal(SwitchBoxCommand.Switch(5, false), Error, fiveChannels, Max));
        Assert.Null(SwitchBoxStateMachine.Refusal(SwitchBoxCommand.AllChannelsOff, Error, fiveChannels, Max));
        Assert.Null(SwitchBoxStateMachine.Refusal(SwitchBoxCommand.LvOff, Error, fiveChannels, Max));
    }

    [Fact]
    public void The_rules_are_listed_for_a_panel()
    {
        Assert.Equal(
            ["at most 3 channels enabled at once (rule max-channels)", "channels change only while HV is off (rule channels-need-hv-off)",
             "HV on only with LV on (rule hv-needs-lv)", "LV off only with HV off (rule lv-off-needs-hv-off)"],
            SwitchBoxRules.All(3).Select(r => r.ToString()));
    }
}
