namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// States of a channel and of the crate (docs/architecture.md, "Channel state"). The two mixed states exist for the
/// crate only: they aggregate channels that disagree. On the wire they are named by <see cref="StateNames.Wire"/>.
/// </summary>
public enum CaenState { Init, Disconnected, Connected, LvOff, LvOn, HvRamp, HvOn, Error, LvMix, HvMix }
