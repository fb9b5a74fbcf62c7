namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// The chiller at one moment (<see cref="JulaboDevice.Snapshot"/>): its status, the unit's text for the status
/// code, why the link was last lost, why the unit does not hold the configured warning limits, why an
/// expected external sensor gives no reading, and when the unit last gave a readable reply (or the driver started,
/// if it never did).
/// </summary>
public sealed record JulaboSnapshot(JulaboStatus Status, string? StatusText, string? LastError, string? LimitsProblem,
    string? SensorProblem = null, DateTimeOffset? LastHeard = null);
