using System.Text.Json.Nodes;

namespace TrackerDcs.Web.Devices.Julabo;

/// <summary>
/// The chiller's MQTT topics and payload, as the seed's clients and the InfluxDB chiller measurement read them:
/// julabo/status, retained, with the seed's keys in the seed's order (null for what has not been read yet).
/// A pure function of the view.
/// </summary>
public static class JulaboTopics
{
    public const string Root = "julabo";
    public const string Status = $"{Root}/status";

    public static JsonObject StatusPayload(JulaboView view) => new()
    {
        ["status_code"] = view.StatusCode,
        ["internal_temp"] = view.InternalTemp,
        ["external_temp"] = view.ExternalTemp,
        ["setpoint_1"] = view.Setpoint1,
        ["setpoint_2"] = view.Setpoint2,
        ["setpoint_3"] = view.Setpoint3,
        ["used_setpoint"] = view.UsedSetpoint,
        ["power"] = view.Power,
        ["ext_is_used"] = view.ExtIsUsed,
        ["limit_high"] = view.LimitHigh,
        ["limit_low"] = view.LimitLow,
        ["fsm_state"] = view.State,
    };
}
