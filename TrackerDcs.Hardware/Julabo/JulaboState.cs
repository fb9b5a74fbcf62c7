using System.Text.Json.Serialization;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>The device states, written in JSON as the seed's fsm_state strings.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JulaboState>))]
public enum JulaboState
{
    /// <summary>No open link, or the unit stopped answering.</summary>
    [JsonStringEnumMemberName("DISCONNECTED")] Disconnected,
    /// <summary>The link is open; the unit's status is not known yet.</summary>
    [JsonStringEnumMemberName("CONNECTED")] Connected,
    /// <summary>Remote stop (02).</summary>
    [JsonStringEnumMemberName("OFF")] Off,
    /// <summary>Remote start (03).</summary>
    [JsonStringEnumMemberName("ON")] On,
    /// <summary>An alarm (negative code) or manual mode (00/01): the panel cannot control the unit.</summary>
    [JsonStringEnumMemberName("ERROR")] Error,
}
