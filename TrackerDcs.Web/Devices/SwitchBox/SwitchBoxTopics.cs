using System.Text.Json.Nodes;

namespace TrackerDcs.Web.Devices.SwitchBox;

/// <summary>
/// The switch box's MQTT topics and payload: SB/status, retained, carries the box's own JSON (lv, hv, channels:
/// the 48-bit mask, bit n-1 = channel n) plus fsm_state and the enabled channels as a list, so that a client
/// needs no bit arithmetic. A pure function of the view.
/// </summary>
public static class SwitchBoxTopics
{
    public const string Root = "SB";
    public const string Status = $"{Root}/status";
    public const string Command = $"{Root}/cmd";

    public static JsonObject StatusPayload(SwitchBoxView view) => new()
    {
        // null until the box has answered once (the state says how much a kept status is worth).
        ["lv"] = view.Status is { } lv ? (lv.Lv ? 1 : 0) : null,
        ["hv"] = view.Status is { } hv ? (hv.Hv ? 1 : 0) : null,
        ["channels"] = view.Status?.Channels,
        ["fsm_state"] = view.State,
        ["enabled_channels"] = new JsonArray([.. view.EnabledChannels.Select(c => JsonValue.Create(c))]),
    };
}
