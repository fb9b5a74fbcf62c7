namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// The chiller at one moment (<see cref="JulaboDevice.Snapshot"/>): its status, the unit's text for the status
/// code, why the link was last lost, and why the unit does not hold the configured warning limits.
/// </summary>
public sealed record JulaboSnapshot(JulaboStatus Status, string? StatusText, string? LastError, string? LimitsProblem);
