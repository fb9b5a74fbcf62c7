namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// Whether the stand has an external Pt100 on the chiller (Julabo:ExternalSensor). A unit without one answers
/// IN_PV_02 with something that is not a number ("---.--"): that is "no external temperature", never a lost link.
/// </summary>
public enum JulaboExternalSensor
{
    /// <summary>Read it when the unit has one, null when it has not, no alarm either way (the seed's behaviour).</summary>
    Auto,
    /// <summary>The stand relies on it: no reading from it is an alarm (julabo.sensor).</summary>
    Expected,
    /// <summary>The stand has none: IN_PV_02 is not asked, and the external temperature stays null.</summary>
    Absent,
}
