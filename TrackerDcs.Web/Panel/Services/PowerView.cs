using System.Text.Json.Nodes;
using TrackerDcs.Hardware.Caen;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>One channel's row of the Power page, read from the driver's dcs/channels object.</summary>
public sealed record ChannelRow(
    string Id, string? Module, CaenState State,
    int? LvStatus, double? LvVMon, double? LvIMon, double? LvSetV, double LvMaxV,
    int? HvStatus, double? HvVMon, double? HvIMon, double? HvSetV, double HvMaxV)
{
    public bool Active => Module is not null;
    public bool HvLive => new ChannelSnapshot(State, LvStatus, HvStatus).HvLive;
}

/// <summary>The crate as the panel shows it: state, rows, and which command the state machine allows now.</summary>
public sealed record PowerView(CaenState State, IReadOnlyList<ChannelRow> Channels)
{
    public bool HvLive => Channels.Any(c => c.Active && c.HvLive);

    /// <summary>Null when the crate's state machine allows <paramref name="command"/> now; else its reason (CommandGuards).</summary>
    public string? Refusal(CaenCommand command) => CommandGuards.Check(command, State, HvLive);

    public static PowerView From(CaenCrateController controller)
    {
        var rows = controller.ChannelsJson().Select(json => Row(json, controller.Map)).ToList();
        return new PowerView(controller.State, rows);
    }

    public static ChannelRow Row(JsonObject json, ChannelMap map)
    {
        var id = (string)json["id"]!;
        var config = map.Find(id);
        return new ChannelRow(id, (string?)json["module"], Parse((string?)json["fsm_state"]),
            Int(json, "lv_status"), Number(json, "lv_vMon"), Number(json, "lv_iMon"), Number(json, "lv_setV"), config?.Lv.OvVThr ?? 0,
            Int(json, "hv_status"), Number(json, "hv_vMon"), Number(json, "hv_iMon"), Number(json, "hv_setV"), config?.Hv.MaxV ?? CaenBoards.HvMaxVolts);
    }

    /// <summary>The status word in words, "—" before the first reading.</summary>
    public static string Words(int? status) => status is { } s ? CaenStatusWords.Text(s) : "—";

    private static CaenState Parse(string? wire) =>
        Enum.GetValues<CaenState>().FirstOrDefault(s => s.ToWire() == wire, CaenState.Init);

    private static double? Number(JsonObject json, string key) => json[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static int? Int(JsonObject json, string key) => json[key] is JsonValue v && v.TryGetValue<long>(out var l) ? (int)l
        : Number(json, key) is { } d ? (int)d : null;
}
