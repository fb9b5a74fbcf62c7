namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// The chiller at one moment (<see cref="JulaboDevice.Snapshot"/>): its status, the unit's text for the status
/// code, why the link was last lost, why the unit does not hold the configured warning limits, and why an
/// expected external sensor gives no reading.
/// </summary>
public sealed record JulaboSnapshot(JulaboStatus Status, string? StatusText, string? LastError, string? LimitsProblem,
    string? SensorProblem = null);
