namespace TrackerDcs.Hardware.Caen;

/// <summary>The crate commands (MQTT dcs/cmd/..., docs/architecture.md).</summary>
public enum CaenCommand { LvOn, LvOff, HvOn, HvOff, SetV, SetRamp, ClearAlarms }

/// <summary>
/// Which command the crate state allows (docs/architecture.md: HV on only from LV_ON, LV off only when HV is off).
/// Switching HV off is refused only when the crate cannot be reached: it is the way out of every state.
/// </summary>
public static class CommandGuards
{
    private static readonly CaenState[] Unreachable = [CaenState.Init, CaenState.Disconnected];

    public static readonly IReadOnlyDictionary<CaenCommand, Func<CaenState, bool, string?>> Guards =
        new Dictionary<CaenCommand, Func<CaenState, bool, string?>>
        {
            [CaenCommand.LvOn] = (state, _) =>
                state is CaenState.LvOff or CaenState.LvMix or CaenState.LvOn ? null
                : $"LV can only be switched on from LV_OFF or LV_MIX (crate is {state.Wire()})",
            [CaenCommand.LvOff] = (state, hvLive) =>
                Unreachable.Contains(state) || state == CaenState.Connected ? NotReachable("LV", state)
                : !hvLive ? null
                : state == CaenState.HvRampDown ? $"LV off is refused while HV ramps down (crate is {state.Wire()})"
                : $"LV can only be switched off when HV is off (crate is {state.Wire()})",
            [CaenCommand.HvOn] = (state, _) =>
                state == CaenState.LvOn ? null : $"HV can only be switched on from LV_ON (crate is {state.Wire()})",
            [CaenCommand.HvOff] = (state, _) => Unreachable.Contains(state) ? NotReachable("HV", state) : null,
            [CaenCommand.SetV] = (state, _) => Unreachable.Contains(state) ? NotReachable("a voltage", state) : null,
            [CaenCommand.SetRamp] = (state, _) => Unreachable.Contains(state) ? NotReachable("a ramp rate", state) : null,
            [CaenCommand.ClearAlarms] = (state, _) => Unreachable.Contains(state) ? NotReachable("alarms", state) : null,
        };

    /// <summary>Null when <paramref name="command"/> may run; else why not. <paramref name="hvLive"/>: some active channel has HV on or ramping.</summary>
    public static string? Check(CaenCommand command, CaenState crate, bool hvLive) => Guards[command](crate, hvLive);

    private static string NotReachable(string what, CaenState state) =>
        $"cannot command {what}: the crate is not reachable (crate is {state.Wire()})";
}
