using System.Runtime.CompilerServices;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;

namespace TrackerDcs.Web.Devices.Caen;

/// <summary>
/// The crate as the rest of the process reads it: the panel, the alarms, the interlocks, the runs, and the
/// dcs/status and dcs/channels payloads (<see cref="CaenTopics"/>). Immutable, built from one
/// <see cref="CaenSnapshot"/>, so every part of it describes the same moment. States are their wire names
/// (<see cref="States"/>); the command guards are evaluated here, so a button and the driver give the same reason.
/// </summary>
public sealed record CaenView(string Root, string State, IReadOnlyList<CaenChannelView> Channels, string MapSource, string MapSha256)
{
    public static readonly string Init = CaenState.Init.Wire();
    public static readonly string Disconnected = CaenState.Disconnected.Wire();
    public static readonly string Error = CaenState.Error.Wire();

    /// <summary>Every crate and channel state, as dcs/status and dcs/channels name them.</summary>
    public static readonly IReadOnlyList<string> States = [.. Enum.GetValues<CaenState>().Select(s => s.Wire())];

    /// <summary>The crate answers: neither INIT nor DISCONNECTED.</summary>
    public bool Reachable => State != Init && State != Disconnected;

    /// <summary>Some active channel has HV on or ramping (LV must then stay on).</summary>
    public bool HvLive { get; init; }

    /// <summary>Some active channel has LV on.</summary>
    public bool LvOn { get; init; }

    /// <summary>The map's PVs the IOC does not serve, each with what it costs ("… not found: channel 1 HV is not protected").</summary>
    public IReadOnlyList<string> Missing { get; init; } = [];

    // Null when the crate's state machine allows the command now, else why not (the driver's CommandGuards).
    public string? LvOnRefusal { get; init; }
    public string? LvOffRefusal { get; init; }
    public string? HvOnRefusal { get; init; }
    public string? HvOffRefusal { get; init; }
    public string? SetVRefusal { get; init; }
    public string? ClearRefusal { get; init; }

    /// <summary>The modules of channels.yml (channels without one are monitored only).</summary>
    public IEnumerable<string> Modules => Channels.Where(c => c.Module is not null).Select(c => c.Module!);

    public CaenChannelView? Channel(string id) => Channels.FirstOrDefault(c => c.Id == id);

    /// <param name="origins">Who set each supply's set point in force (null: channels.yml), when set points are kept.</param>
    public static CaenView From(CaenSnapshot snapshot, Func<string, PowerKind, SetPointOrigin?>? origins = null)
    {
        var (state, hvLive) = (snapshot.State, snapshot.HvLive);
        return new CaenView(snapshot.Map.Name, state.Wire(), [.. snapshot.Channels.Select(c => CaenChannelView.From(c, origins))],
            snapshot.Map.Source, snapshot.Map.Sha256)
        {
            HvLive = hvLive,
            LvOn = snapshot.LvOn,
            Missing = [.. snapshot.Missing.Select(m => m.Text)],
            LvOnRefusal = CommandGuards.Check(CaenCommand.LvOn, state, hvLive),
            LvOffRefusal = CommandGuards.Check(CaenCommand.LvOff, state, hvLive),
            HvOnRefusal = CommandGuards.Check(CaenCommand.HvOn, state, hvLive),
            HvOffRefusal = CommandGuards.Check(CaenCommand.HvOff, state, hvLive),
            SetVRefusal = CommandGuards.Check(CaenCommand.SetV, state, hvLive),
            ClearRefusal = CommandGuards.Check(CaenCommand.ClearAlarms, state, hvLive),
        };
    }
}

/// <summary>One field of a channel as dcs/channels carries it (<c>lv_vMon</c>, <c>hv_status</c>, …); whole numbers are written without a fraction.</summary>
public readonly record struct CaenFieldValue(string Key, double Value, bool Whole);

/// <summary>One channel of the map: who it is, its state, both supplies, and every field dcs/channels carries for it.</summary>
public sealed record CaenChannelView(string Id, string? Module, string State, CaenSupplyView Lv, CaenSupplyView Hv)
{
    private static readonly ConditionalWeakTable<ChannelConfig, IReadOnlyList<(string, object?)>> SettingsCache = [];

    /// <summary>A channel with a module is commanded; one without is monitored only.</summary>
    public bool Active => Module is not null;

    public bool InError => State == CaenView.Error;

    /// <summary>HV on or still ramping (down, too).</summary>
    public bool HvLive { get; init; }

    /// <summary>Every field read so far, as dcs/channels carries them after the boards and channels (lv_ fields first, in the driver's field order).</summary>
    public IReadOnlyList<CaenFieldValue> Fields { get; init; } = [];

    /// <summary>The channel's settings in force (channels.yml, with set points changed since), as <c>lv.setV</c>, <c>hv.maxV</c>, …</summary>
    public IReadOnlyList<(string Key, object? Value)> Settings { get; init; } = [];

    public static CaenChannelView From(ChannelReading reading, Func<string, PowerKind, SetPointOrigin?>? origins = null)
    {
        var config = reading.Config;
        var lv = CaenSupplyView.From(config.Lv, reading.Lv, config.Lv.OvVThr) with { Origin = origins?.Invoke(config.Id, PowerKind.Lv) };
        var hv = CaenSupplyView.From(config.Hv, reading.Hv, config.Hv.MaxV ?? CaenBoards.HvMaxVolts) with { Origin = origins?.Invoke(config.Id, PowerKind.Hv) };
        List<CaenFieldValue> fields = [];
        foreach (var kind in Enum.GetValues<PowerKind>())
            foreach (var field in CaenFields.For(kind))
                if (field.JsonKey is { } key && reading.Supply(kind)[field] is { } value)
                    fields.Add(new($"{(kind == PowerKind.Lv ? "lv" : "hv")}_{key}", value, field.Type != Hardware.ChannelAccess.CaType.Double));
        return new CaenChannelView(config.Id, config.Module, reading.State.Wire(), lv, hv)
        {
            HvLive = reading.Snapshot.HvLive,
            Fields = fields,
            Settings = SettingsCache.GetValue(config, SettingsOf),
        };
    }

    // Read off the settings records, so a setting added to channels.yml shows without a change here.
    private static IReadOnlyList<(string, object?)> SettingsOf(ChannelConfig config) =>
    [
        .. typeof(LvSettings).GetProperties().Select(p => ($"lv.{Camel(p.Name)}", Plain(p.GetValue(config.Lv)))),
        .. typeof(HvSettings).GetProperties().Select(p => ($"hv.{Camel(p.Name)}", Plain(p.GetValue(config.Hv)))),
    ];

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static object? Plain(object? value) => value is Enum e ? e.ToString() : value;
}

/// <summary>One supply (LV or HV) of a channel: address, last readings, the highest set point a command may ask, and the status word's meaning.</summary>
public sealed record CaenSupplyView(int Board, int Channel, int? Status, double? VMon, double? IMon, double? SetV, double MaxSetV)
{
    private const int RampBits = (int)(CaenStatus.RampingUp | CaenStatus.RampingDown);
    private const int FaultBits = ~((int)CaenStatus.On | RampBits);

    /// <summary>Who set the set point in force and when; null when it is channels.yml's (<see cref="CaenSetPoints"/>).</summary>
    public SetPointOrigin? Origin { get; init; }

    public bool On => Has(CaenStatus.On);
    public bool Ramping => (Status & RampBits) is > 0;
    public bool Tripped => Has(CaenStatus.InternalTrip) || Has(CaenStatus.ExternalTrip);
    public bool OverCurrent => Has(CaenStatus.OverCurrent);
    public bool OverVoltage => Has(CaenStatus.OverVoltage);
    public bool UnderVoltage => Has(CaenStatus.UnderVoltage);
    public bool Unplugged => Has(CaenStatus.Unplugged);

    /// <summary>The status word in words ("on, ramping up"), "—" before the first reading.</summary>
    public string Words => Status is { } s ? Describe(s) : "—";

    /// <summary>The status word in words, lowest bit first; "off" for a word with no bit set.</summary>
    public static string Describe(int status) => CaenStatusWords.Text(status);

    /// <summary>The seed dashboard's LED: "unknown" before the first reading, "error" for any fault bit, "ramp", "on" or "off".</summary>
    public static string Light(int? status) => status switch
    {
        null => "unknown",
        var s when (s & FaultBits) != 0 => "error",
        var s when (s & RampBits) != 0 => "ramp",
        var s when (s & (int)CaenStatus.On) != 0 => "on",
        _ => "off",
    };

    internal static CaenSupplyView From(ISupplySettings settings, SupplyReading reading, double maxSetV) =>
        new(settings.Board, settings.Chan, reading.Status, reading.VMon, reading.IMon, reading.SetV, maxSetV);

    private bool Has(CaenStatus bit) => Status is { } s && (s & (int)bit) != 0;
}
