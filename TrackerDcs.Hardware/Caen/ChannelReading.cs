namespace TrackerDcs.Hardware.Caen;

/// <summary>One supply's last readings as the driver holds them; null before the first.</summary>
public sealed record SupplyReading(int? Status, double? VMon, double? IMon, double? SetV)
{
    public CaenStatus? Flags => Status is { } s ? (CaenStatus)s : null;
}

/// <summary>
/// One channel as the driver knows it now: its map entry, its state and both supplies' readings. The panel and
/// the alarms read this rather than parsing the dcs/channels JSON back.
/// </summary>
public sealed record ChannelReading(ChannelConfig Config, CaenState State, SupplyReading Lv, SupplyReading Hv)
{
    public SupplyReading Supply(PowerKind kind) => kind == PowerKind.Lv ? Lv : Hv;

    public ChannelSnapshot Snapshot => new(State, Lv.Status, Hv.Status);
}
