using System.Text.Json.Nodes;

namespace TrackerDcs.Web.Devices.Caen;

/// <summary>
/// The crate's MQTT topics and payloads, as the seed's clients and the InfluxDB mapping read them: dcs/status
/// <c>{"fsm_state":"LV_ON"}</c>; dcs/channels, one object per channel with the seed's keys (lv_/hv_ before
/// each field's key, fsm_state last), also retained per channel on dcs/channels/&lt;id&gt;. Pure functions of the view.
/// </summary>
public static class CaenTopics
{
    public static string Status(string root) => $"{root}/status";
    public static string Channels(string root) => $"{root}/channels";
    public static string Channel(string root, string id) => $"{root}/channels/{id}";

    public static JsonObject StatusPayload(CaenView view) => new() { ["fsm_state"] = view.State };

    public static JsonObject ChannelPayload(CaenChannelView channel)
    {
        var json = new JsonObject
        {
            ["id"] = channel.Id,
            ["module"] = channel.Module,
            ["lv_board"] = channel.Lv.Board,
            ["lv_channel"] = channel.Lv.Channel,
            ["hv_board"] = channel.Hv.Board,
            ["hv_channel"] = channel.Hv.Channel,
        };
        foreach (var field in channel.Fields)
            json[field.Key] = field.Whole ? JsonValue.Create((long)field.Value) : JsonValue.Create(field.Value);
        json["fsm_state"] = channel.State;
        return json;
    }
}
