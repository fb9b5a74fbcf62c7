namespace TrackerDcs.Hardware.Marta;

/// <summary>MARTA's states, the seed's; on the wire through <see cref="StateNames.Wire"/> (CHILLER_RUNNING, CO2_RUNNING…).</summary>
public enum MartaState
{
    /// <summary>Not started yet: no connection was tried.</summary>
    Init,
    /// <summary>No link to the PLC, or it stopped answering; the values last read are not live.</summary>
    Disconnected,
    /// <summary>Status 1, chiller not started.</summary>
    Connected,
    /// <summary>Status 1, chiller started, CO2 loop not.</summary>
    ChillerRunning,
    /// <summary>Status 1 or 2 with the CO2 loop started (and the chiller).</summary>
    Co2Running,
    /// <summary>Status 3 (a fail-safe tripped), or a status the seed's rules do not explain.</summary>
    Alarm,
}
