namespace TrackerDcs.Hardware.Caen;

/// <summary>What the driver knows about one channel at a moment: link state and the two status words, once read.</summary>
public readonly record struct ChannelObservation(bool Started, bool Connected, int? LvStatus, int? HvStatus, bool Missing = false);

/// <summary>
/// The channel state machine of the seed: INIT → DISCONNECTED ⇄ CONNECTED → LV_OFF ⇄ LV_ON → HV_RAMP ⇄ HV_ON → HV_RAMP_DOWN → LV_ON,
/// and ERROR; UNAVAILABLE while a PV of the channel is missing on a reachable IOC. Past CONNECTED the state is not stored but derived from the status words, by the rule table below.
/// </summary>
public static class ChannelFsm
{
    private const int On = (int)CaenStatus.On;

    // The LV bits that are not a fault. The seed called any LV status above 1 an error; the ramp bits are
    // spared here because an LV channel ramps for RUpTime (100 ms) on every switch, and the crate must not
    // flash ERROR each time the operator switches LV.
    private const int LvHealthy = (int)(CaenStatus.On | CaenStatus.RampingUp | CaenStatus.RampingDown);

    /// <summary>Rules tried in order; the first that holds gives the state.</summary>
    public static readonly IReadOnlyList<(string Rule, Func<int, int, bool> Holds, CaenState State)> Rules =
    [
        ("HV status above 5 (a fault bit)", (_, hv) => hv > 5, CaenState.Error),
        ("LV status with a fault bit", (lv, _) => (lv & ~LvHealthy) != 0, CaenState.Error),
        ("LV off", (lv, _) => (lv & On) == 0, CaenState.LvOff),
        // Status bit 2 (ramping down) with or without bit 0: a board reports 4 or 5 while HV falls after Pw off or
        // towards a lower V0Set. Either way HV is still live, which the refusals must name (issue 16).
        ("HV ramping down (status 4 or 5)", (_, hv) => hv is 4 or 5, CaenState.HvRampDown),
        ("HV on and ramping up (status 3)", (_, hv) => hv == 3, CaenState.HvRamp),
        ("HV on (status 1)", (_, hv) => hv == 1, CaenState.HvOn),
        ("LV on, HV off", (_, _) => true, CaenState.LvOn),
    ];

    /// <summary>The transitions a healthy channel makes; any other one is worth a warning (the device's doing, not ours).</summary>
    public static readonly IReadOnlySet<(CaenState From, CaenState To)> Transitions = BuildTransitions();

    public static CaenState Derive(int lvStatus, int hvStatus) => Rules.First(r => r.Holds(lvStatus, hvStatus)).State;

    public static CaenState Derive(ChannelObservation o) => o switch
    {
        { Started: false } => CaenState.Init,
        { Connected: false } => CaenState.Disconnected,
        { Missing: true } => CaenState.Unavailable,
        { LvStatus: { } lv, HvStatus: { } hv } => Derive(lv, hv),
        _ => CaenState.Connected,
    };

    public static bool IsExpected(CaenState from, CaenState to) => from == to || Transitions.Contains((from, to));

    private static HashSet<(CaenState, CaenState)> BuildTransitions()
    {
        CaenState[] read = [CaenState.LvOff, CaenState.LvOn, CaenState.HvRamp, CaenState.HvOn, CaenState.HvRampDown, CaenState.Error];
        var t = new HashSet<(CaenState, CaenState)>
        {
            (CaenState.Init, CaenState.Disconnected),
            (CaenState.Init, CaenState.Connected),
            (CaenState.Disconnected, CaenState.Connected),
            (CaenState.Connected, CaenState.Disconnected),
            (CaenState.Connected, CaenState.Unavailable), (CaenState.Disconnected, CaenState.Unavailable),
            (CaenState.Unavailable, CaenState.Disconnected), (CaenState.Unavailable, CaenState.Connected),
            (CaenState.LvOff, CaenState.LvOn), (CaenState.LvOn, CaenState.LvOff),
            (CaenState.LvOn, CaenState.HvRamp), (CaenState.HvRamp, CaenState.LvOn),
            (CaenState.HvRamp, CaenState.HvOn), (CaenState.HvOn, CaenState.HvRamp),
            // A kill trip drops HV at once, and a short ramp can finish between two monitor updates.
            (CaenState.HvOn, CaenState.LvOn), (CaenState.LvOn, CaenState.HvOn),
            // HV off or a lower set point ramps down; a new set point may turn the ramp round.
            (CaenState.HvOn, CaenState.HvRampDown), (CaenState.HvRamp, CaenState.HvRampDown),
            (CaenState.HvRampDown, CaenState.LvOn), (CaenState.HvRampDown, CaenState.HvOn), (CaenState.HvRampDown, CaenState.HvRamp),
        };
        foreach (var s in read)
        {
            t.Add((CaenState.Connected, s));       // the first reading may find the crate in any state
            t.Add((s, CaenState.Disconnected));    // the link may drop at any time
            t.Add((s, CaenState.Error));           // so may a fault bit appear
            t.Add((CaenState.Error, s));           // and an alarm be cleared
            t.Add((CaenState.Unavailable, s));     // a missing PV may come back (or be found late)
            t.Add((s, CaenState.Unavailable));     // and one be lost while the IOC stays
            // The monitors' first values may arrive before the link is declared up: the first reading then
            // follows DISCONNECTED directly, without a CONNECTED in between.
            t.Add((CaenState.Disconnected, s));
        }
        return t;
    }
}
