using System.Text.Json.Serialization;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// What the device knows about the chiller: the payload of the retained <c>julabo/status</c> topic and
/// of the InfluxDB <c>chiller</c> measurement, with the seed's JSON names. Readings are null until first
/// read; after the link is lost they keep their last value and <see cref="FsmState"/> says DISCONNECTED.
/// </summary>
public sealed record JulaboStatus
{
    [JsonPropertyName("status_code")] public int? StatusCode { get; init; }
    [JsonPropertyName("internal_temp")] public double? InternalTemp { get; init; }
    [JsonPropertyName("external_temp")] public double? ExternalTemp { get; init; }
    [JsonPropertyName("setpoint_1")] public double? Setpoint1 { get; init; }
    [JsonPropertyName("setpoint_2")] public double? Setpoint2 { get; init; }
    [JsonPropertyName("setpoint_3")] public double? Setpoint3 { get; init; }
    /// <summary>The set point in use, 1–3.</summary>
    [JsonPropertyName("used_setpoint")] public int? UsedSetpoint { get; init; }
    /// <summary>Heating/cooling power in %, negative when cooling.</summary>
    [JsonPropertyName("power")] public double? Power { get; init; }
    [JsonPropertyName("ext_is_used")] public bool? ExtIsUsed { get; init; }
    /// <summary>The warning limits the unit holds (IN_SP_03, IN_SP_04), as read back after writing the configured ones.</summary>
    [JsonPropertyName("limit_high")] public double? LimitHigh { get; init; }
    [JsonPropertyName("limit_low")] public double? LimitLow { get; init; }
    [JsonPropertyName("fsm_state")] public JulaboState FsmState { get; init; } = JulaboState.Disconnected;

    public double? Setpoint(int setpoint) => setpoint switch { 1 => Setpoint1, 2 => Setpoint2, 3 => Setpoint3, _ => null };
}
