namespace TrackerDcs.Hardware.Caen;

/// <summary>One active channel as the crate aggregate sees it.</summary>
public readonly record struct ChannelSnapshot(CaenState State, int? LvStatus, int? HvStatus)
{
    /// <summary>HV on (or ramping) while its module's LV is off: the sensor is biased with the readout unpowered.</summary>
    public bool LvOffUnderHv => LvStatus is { } lv && (lv & (int)CaenStatus.On) == 0
                                && HvStatus is { } hv && (hv & (int)CaenStatus.On) != 0;

    /// <summary>
    /// Its status words, both read, show a fault: what makes an UNAVAILABLE channel count for the crate's ERROR,
    /// since its own state no longer says what its words do.
    /// </summary>
    public bool Faulty => LvStatus is { } lv && HvStatus is { } hv && ChannelFsm.Derive(lv, hv) == CaenState.Error;

    public bool LvOn => LvStatus is { } lv && (lv & (int)CaenStatus.On) != 0;

    /// <summary>HV is on or still ramping (down, too): LV must stay on.</summary>
    public bool HvLive => HvStatus is { } hv && (hv & (int)(CaenStatus.On | CaenStatus.RampingUp | CaenStatus.RampingDown)) != 0;
}

/// <summary>The crate ("dcs") state: the active channels' states aggregated by the ordered rules of the seed.</summary>
public static class CrateFsm
{
    private static readonly CaenState[] LvOnStates = [CaenState.LvOn, CaenState.HvRamp, CaenState.HvOn, CaenState.HvRampDown];
    private static readonly CaenState[] HvUpStates = [CaenState.HvRamp, CaenState.HvOn];

    /// <summary>Rules tried in order; the first that holds gives the crate state, else the channels' common state.</summary>
    public static readonly IReadOnlyList<(string Rule, Func<IReadOnlyList<ChannelSnapshot>, bool> Holds, CaenState State)> Rules =
    [
        ("no active channel", c => c.Count == 0, CaenState.Init),
        ("a channel in error, or LV off under HV", c => c.Any(x => x.State == CaenState.Error || x.Faulty || x.LvOffUnderHv), CaenState.Error),
        ("a channel disconnected", c => c.Any(x => x.State == CaenState.Disconnected), CaenState.Disconnected),
        ("a channel not started", c => c.Any(x => x.State == CaenState.Init), CaenState.Init),
        ("every channel unavailable", c => !Available(c).Any(), CaenState.Unavailable),
        ("a channel not read yet", c => c.Any(x => x.State == CaenState.Connected), CaenState.Connected),
        // Before the mixed states: while any HV falls, LV must stay on, and the crate's state says why.
        ("a channel ramping HV down", c => c.Any(x => x.State == CaenState.HvRampDown), CaenState.HvRampDown),
        ("LV on for some channels, off for others", c => Mixed(c, LvOnStates), CaenState.LvMix),
        ("HV up for some channels, off for others", c => Mixed(c, HvUpStates), CaenState.HvMix),
        ("a channel ramping HV up", c => c.Any(x => x.State == CaenState.HvRamp), CaenState.HvRamp),
    ];

    /// <summary>
    /// UNAVAILABLE channels (a PV missing: not commanded, each named by its alarm) count only for ERROR (their
    /// status words are still read) and when no channel is left: the crate is what the channels it commands are.
    /// </summary>
    public static CaenState Aggregate(IReadOnlyList<ChannelSnapshot> active) =>
        Rules.FirstOrDefault(r => r.Holds(active)) is { Rule: not null } rule ? rule.State : Available(active).First().State;

    private static IEnumerable<ChannelSnapshot> Available(IReadOnlyList<ChannelSnapshot> channels) =>
        channels.Where(c => c.State != CaenState.Unavailable);

    private static bool Mixed(IReadOnlyList<ChannelSnapshot> channels, CaenState[] group) =>
        Available(channels).Any(c => group.Contains(c.State)) && Available(channels).Any(c => !group.Contains(c.State));
}
