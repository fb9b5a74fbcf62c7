namespace TrackerDcs.Hardware.Julabo;

/// <summary>The device states; on the wire (fsm_state) as <see cref="StateNames.Wire"/> names them: DISCONNECTED, OFF, ….</summary>
public enum JulaboState
{
    /// <summary>No open link, or the unit stopped answering.</summary>
    Disconnected,
    /// <summary>The link is open; the unit's status is not known yet.</summary>
    Connected,
    /// <summary>Remote stop (02).</summary>
    Off,
    /// <summary>Remote start (03).</summary>
    On,
    /// <summary>An alarm (negative code) or manual mode (00/01): the panel cannot control the unit.</summary>
    Error,
}
