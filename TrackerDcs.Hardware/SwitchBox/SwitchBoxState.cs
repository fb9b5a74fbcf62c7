namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>The device states; on the wire (fsm_state) through <see cref="StateNames.Wire"/>: LV_OFF, HV_ON, …</summary>
public enum SwitchBoxState
{
    /// <summary>No open link, or the box stopped answering.</summary>
    Disconnected,
    /// <summary>The link is open; the box's status is not known yet.</summary>
    Connected,
    /// <summary>LV off, HV off; channels may be enabled (they carry nothing yet).</summary>
    LvOff,
    /// <summary>LV on, HV off.</summary>
    LvOn,
    /// <summary>LV and HV on.</summary>
    HvOn,
    /// <summary>The box reports a status that breaks a rule (HV on with LV off, too many channels): only switching off is allowed.</summary>
    Error,
}
