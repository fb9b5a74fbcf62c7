using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Hardware.Caen;

/// <summary>The fields of LV and HV channels (docs/architecture.md, "CAEN over EPICS Channel Access"), as data: simulator, driver and JSON read this table.</summary>
public static class CaenFields
{
    public static readonly CaenField V0Set = new("V0Set", CaType.Double, "V", true, "setV") { IfMissing = "cannot be set", Setting = s => s.SetV };
    public static readonly CaenField I0Set = new("I0Set", CaType.Double, "", true, "maxI") { Setting = s => s.MaxI };
    public static readonly CaenField Pw = new("Pw", CaType.Enum, "", true, null) { EnumStrings = ["Off", "On"], IfMissing = "cannot be switched" };
    public static readonly CaenField Trip = new("Trip", CaType.Double, "s", true, "tripTime") { Min = 0, Max = 1000, Setting = s => s.TripTime };
    public static readonly CaenField TripInt = new("TripInt", CaType.Long, "", true, "tripInt") { Min = 0, Max = 0xffff, Setting = s => s.TripInt };
    public static readonly CaenField TripExt = new("TripExt", CaType.Long, "", true, "tripExt") { Min = 0, Max = 0xffff, Setting = s => s.TripExt };
    public static readonly CaenField Status = new("Status", CaType.Long, "", false, "status") { IfMissing = "is not monitored", DeadBand = 0 };
    public static readonly CaenField VMon = new("VMon", CaType.Double, "V", false, "vMon") { IfMissing = "is not monitored", DeadBand = 0.01, ArchiveDeadBand = 0.05 };
    public static readonly CaenField IMon = new("IMon", CaType.Double, "", false, "iMon") { IfMissing = "is not monitored", DeadBand = 0.01, LowRangeDeadBand = 0.001, ArchiveDeadBand = 0.05, LowRangeArchiveDeadBand = 0.005 };

    // The LV boards' own thresholds: OVVThr is the LV hardware limit (the board flags VMon above it with status
    // bit 4; the driver also refuses an LV setV above it), UNVThr the floor (bit 5). Both are written on load.
    // dcs/channels spells them as the seed's dcs.py did (lv_unVthr, lv_ovVthr), channels.yml as its YAML did.
    public static readonly CaenField UNVThr = new("UNVThr", CaType.Double, "V", true, "unVThr") { JsonKey = "unVthr", Min = 0, Max = 16, Setting = s => ((LvSettings)s).UnVThr };
    public static readonly CaenField OVVThr = new("OVVThr", CaType.Double, "V", true, "ovVThr") { JsonKey = "ovVthr", Min = 0, Max = 16, Setting = s => ((LvSettings)s).OvVThr };
    public static readonly CaenField RUpTime = new("RUpTime", CaType.Double, "ms", true, "rampUpTime") { IfMissing = "ramps at the crate's own speed", Min = 1, Max = 60000, Setting = s => ((LvSettings)s).RampUpTime };
    public static readonly CaenField RDwTime = new("RDwTime", CaType.Double, "ms", true, "rampDwnTime") { IfMissing = "ramps at the crate's own speed", Min = 1, Max = 60000, Setting = s => ((LvSettings)s).RampDwnTime };
    public static readonly CaenField Temp = new("Temp", CaType.Double, "°C", false, "temp") { IfMissing = "is not monitored", DeadBand = 2 };

    public static readonly CaenField RUp = new("RUp", CaType.Double, "V/s", true, "rampUpSpeed") { IfMissing = "ramps at the crate's own speed", Min = 1, Max = 500, Setting = s => ((HvSettings)s).RampUpSpeed };
    public static readonly CaenField RDWn = new("RDWn", CaType.Double, "V/s", true, "rampDwnSpeed") { IfMissing = "ramps at the crate's own speed", Min = 1, Max = 500, Setting = s => ((HvSettings)s).RampDwnSpeed };
    public static readonly CaenField ImRangeField = new("ImRange", CaType.Enum, "", true, "imRange")
        { EnumStrings = ["High", "Low"], IfMissing = "measures its current in the crate's own range", Setting = s => (ushort)((HvSettings)s).ImRange };
    /// <summary>
    /// The HV software voltage limit: the board never outputs more, whatever V0Set says, and shows status bit 7
    /// (at max V) while it limits. Written from hv maxV on load, so the crate holds the stand's limit even
    /// when this process is not running. Optional in channels.yml: absent, the crate's own value stays.
    /// </summary>
    public static readonly CaenField SVMax = new("SVMax", CaType.Double, "V", true, "maxV")
        { Min = 0, Max = CaenBoards.HvMaxVolts, Optional = true, Setting = s => ((HvSettings)s).MaxV };
    public static readonly CaenField PDwn = new("PDwn", CaType.Enum, "", true, "tripMode")
        { EnumStrings = ["Ramp", "Kill"], Setting = s => (ushort)((HvSettings)s).TripMode };

    // Current units differ by side: LV boards report amperes, HV boards microamperes.
    public static readonly IReadOnlyList<CaenField> Lv =
    [
        V0Set with { Min = 0, Max = 16 }, I0Set with { Units = "A", Min = 0, Max = 10 }, Pw, Trip, TripInt, TripExt, Status, VMon, IMon with { Units = "A", LowRangeDeadBand = null, LowRangeArchiveDeadBand = null },
        UNVThr, OVVThr, RUpTime, RDwTime, Temp,
    ];

    public static readonly IReadOnlyList<CaenField> Hv =
    [
        V0Set with { Min = 0, Max = CaenBoards.HvMaxVolts }, I0Set with { Units = "µA", Min = 0, Max = 3500 }, Pw, Trip, TripInt, TripExt, Status, VMon, IMon with { Units = "µA" },
        RUp, RDWn, ImRangeField, PDwn, SVMax,
    ];

    public static IReadOnlyList<CaenField> For(PowerKind kind) => kind == PowerKind.Lv ? Lv : Hv;
}
