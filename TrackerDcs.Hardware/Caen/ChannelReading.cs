namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// One supply's last readings as the driver holds them, by field name (<see cref="CaenField.Name"/>): every
/// monitored field that has been read, each at its last value beyond the field's dead band. A field not read yet is absent.
/// </summary>
public sealed record SupplyReading(IReadOnlyDictionary<string, double> Fields)
{
    public double? this[CaenField field] => Fields.TryGetValue(field.Name, out var value) ? value : null;

    public int? Status => this[CaenFields.Status] is { } status ? (int)status : null;
    public double? VMon => this[CaenFields.VMon];
    public double? IMon => this[CaenFields.IMon];
    public double? SetV => this[CaenFields.V0Set];
    public CaenStatus? Flags => Status is { } s ? (CaenStatus)s : null;
}

/// <summary>One channel as the driver knows it now: its map entry, its state and both supplies' readings.</summary>
public sealed record ChannelReading(ChannelConfig Config, CaenState State, SupplyReading Lv, SupplyReading Hv)
{
    public SupplyReading Supply(PowerKind kind) => kind == PowerKind.Lv ? Lv : Hv;

    public ChannelSnapshot Snapshot => new(State, Lv.Status, Hv.Status);
}
