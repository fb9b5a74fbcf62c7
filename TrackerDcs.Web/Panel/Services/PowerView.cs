using TrackerDcs.Hardware.Caen;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>One channel's row of the Power page, from the driver's reading of it.</summary>
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

    public static PowerView From(CaenCrateController controller) => new(controller.State, [.. controller.Readings().Select(Row)]);

    /// <summary>The set-voltage limits shown are the ones the command layer enforces: LV OVVThr, HV maxV or the boards' maximum.</summary>
    public static ChannelRow Row(ChannelReading reading) => new(reading.Config.Id, reading.Config.Module, reading.State,
        reading.Lv.Status, reading.Lv.VMon, reading.Lv.IMon, reading.Lv.SetV, reading.Config.Lv.OvVThr,
        reading.Hv.Status, reading.Hv.VMon, reading.Hv.IMon, reading.Hv.SetV, reading.Config.Hv.MaxV ?? CaenBoards.HvMaxVolts);

    /// <summary>The status word in words, "—" before the first reading.</summary>
    public static string Words(int? status) => status is { } s ? CaenStatusWords.Text(s) : "—";
}
