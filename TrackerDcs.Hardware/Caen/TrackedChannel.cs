using System.Text.Json.Nodes;
using TrackerDcs.Hardware.ChannelAccess;

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
        new(Status(kind), Value(kind, CaenFields.VMon), Value(kind, CaenFields.IMon), Value(kind, CaenFields.V0Set));

    private double? Value(PowerKind kind, CaenField field) => _readings.TryGetValue((kind, field.Name), out var value) ? value : null;

    /// <summary>The channel's dcs/channels object: the seed's keys, lv_/hv_ before each field's key, fsm_state last.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["id"] = Settings.Id,
            ["module"] = Settings.Module,
            ["lv_board"] = Settings.Lv.Board,
            ["lv_channel"] = Settings.Lv.Chan,
            ["hv_board"] = Settings.Hv.Board,
            ["hv_channel"] = Settings.Hv.Chan,
        };
        foreach (var kind in Enum.GetValues<PowerKind>())
            foreach (var field in CaenFields.For(kind))
                if (field.Key is { } key && _readings.TryGetValue((kind, field.Name), out var value))
                    json[$"{(kind == PowerKind.Lv ? "lv" : "hv")}_{key}"] = field.Type == CaType.Double
                        ? JsonValue.Create(value) : JsonValue.Create((long)value);
        json["fsm_state"] = State.Wire();
        return json;
    }
}
