namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// States of a channel and of the crate (docs/architecture.md, "Channel state"). The two mixed states exist for the
/// crate only: they aggregate channels that disagree. HV_RAMP is HV ramping up, HV_RAMP_DOWN ramping down (to off or
/// to a lower set point): LV must stay on through both. UNAVAILABLE is a channel the IOC serves only in part (a PV of
/// it missing): it is not commanded, and the crate is UNAVAILABLE only when every active channel is. On the wire they are named by <see cref="StateNames.Wire"/>.
/// </summary>
public enum CaenState { Init, Disconnected, Connected, Unavailable, LvOff, LvOn, HvRamp, HvOn, HvRampDown, Error, LvMix, HvMix }
