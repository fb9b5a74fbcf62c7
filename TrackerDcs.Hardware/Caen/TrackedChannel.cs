namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// The driver's view of one channel: its current settings (channels.yml plus set points changed since),
/// the last reading of every field that moved beyond its dead band, and its state. Guarded by the controller's lock.
/// </summary>
internal sealed class TrackedChannel(ChannelConfig settings, string prefix)
{
    private readonly Dictionary<(PowerKind, string), double> _readings = [];

    public ChannelConfig Settings { get; set; } = settings;
    public CaenState State { get; set; } = CaenState.Init;

    /// <summary>The channel's PVs the IOC does not serve; any makes the channel UNAVAILABLE.</summary>
    public IReadOnlyList<MissingPv> Missing { get; set; } = [];

    public string PvName(PowerKind kind, string field)
    {
        var supply = Settings.Supply(kind);
        return CaenPvNames.Channel(prefix, supply.Board, supply.Chan, field);
    }

    /// <summary>Keeps a monitored value if it moved beyond the field's dead band (as an IOC's MDEL would); true if so.</summary>
    public bool Record(PowerKind kind, CaenField field, double value)
    {
        var deadBand = (kind == PowerKind.Hv ? field.DeadBandIn(ImRange) : field.DeadBand) ?? 0;
        if (_readings.TryGetValue((kind, field.Name), out var old) && Math.Abs(value - old) <= deadBand) return false;
        _readings[(kind, field.Name)] = value;
        return true;
    }

    /// <summary>The HV current range the board reports (a monitored channel may differ from channels.yml), else the configured one.</summary>
    private ImRange ImRange =>
        _readings.TryGetValue((PowerKind.Hv, CaenFields.ImRangeField.Name), out var range) ? (ImRange)(ushort)range : Settings.Hv.ImRange;

    /// <summary>Readings of a crate that went away are not the crate's state any more.</summary>
    public void Forget() => _readings.Clear();

    public int? Status(PowerKind kind) =>
        _readings.TryGetValue((kind, CaenFields.Status.Name), out var status) ? (int)status : null;

    public ChannelSnapshot Snapshot() => new(State, Status(PowerKind.Lv), Status(PowerKind.Hv));

    public ChannelReading Reading() => new(Settings, State, Supply(PowerKind.Lv), Supply(PowerKind.Hv));

    private SupplyReading Supply(PowerKind kind) =>
        new(_readings.Where(r => r.Key.Item1 == kind).ToDictionary(r => r.Key.Item2, r => r.Value));
}
