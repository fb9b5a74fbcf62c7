namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// States of a channel and of the crate (DESIGN.md, State machines). The two mixed states exist for the
/// crate only: they aggregate channels that disagree.
/// </summary>
public enum CaenState { Init, Disconnected, Connected, LvOff, LvOn, HvRamp, HvOn, Error, LvMix, HvMix }

public static class CaenStateNames
{
    // The seed's spelling, published as fsm_state and stored in InfluxDB: dashboards depend on it.
    private static readonly Dictionary<CaenState, string> Wire = new()
    {
        [CaenState.Init] = "INIT",
        [CaenState.Disconnected] = "DISCONNECTED",
        [CaenState.Connected] = "CONNECTED",
        [CaenState.LvOff] = "LV_OFF",
        [CaenState.LvOn] = "LV_ON",
        [CaenState.HvRamp] = "HV_RAMP",
        [CaenState.HvOn] = "HV_ON",
        [CaenState.Error] = "ERROR",
        [CaenState.LvMix] = "LV_MIX",
        [CaenState.HvMix] = "HV_MIX",
    };

    public static string ToWire(this CaenState state) => Wire[state];
}
