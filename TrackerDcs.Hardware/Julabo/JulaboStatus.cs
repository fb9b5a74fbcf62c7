namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// What the device knows about the chiller (the host publishes it as julabo/status). Readings are null until
/// first read; after the link is lost they keep their last value and <see cref="FsmState"/> says DISCONNECTED.
/// </summary>
public sealed record JulaboStatus
{
    public int? StatusCode { get; init; }
    public double? InternalTemp { get; init; }
    public double? ExternalTemp { get; init; }
    public double? Setpoint1 { get; init; }
    public double? Setpoint2 { get; init; }
    public double? Setpoint3 { get; init; }
    /// <summary>The set point in use, 1–3.</summary>
    public int? UsedSetpoint { get; init; }
    /// <summary>Heating/cooling power in %, negative when cooling.</summary>
    public double? Power { get; init; }
    public bool? ExtIsUsed { get; init; }
    /// <summary>The warning limits the unit holds (IN_SP_03, IN_SP_04), as read back after writing the configured ones.</summary>
    public double? LimitHigh { get; init; }
    public double? LimitLow { get; init; }
    public JulaboState FsmState { get; init; } = JulaboState.Disconnected;

    public double? Setpoint(int setpoint) => setpoint switch { 1 => Setpoint1, 2 => Setpoint2, 3 => Setpoint3, _ => null };
}
