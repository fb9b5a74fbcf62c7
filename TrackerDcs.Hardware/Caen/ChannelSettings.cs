namespace TrackerDcs.Hardware.Caen;

/// <summary>What an HV trip does (the PDwn field): ramp down at RDWn, or switch off at once.</summary>
public enum TripMode : ushort { Ramp = 0, Kill = 1 }

/// <summary>HV current monitor range (the ImRange field): 3.5 mA or 350 µA full scale.</summary>
public enum ImRange : ushort { High = 0, Low = 1 }

/// <summary>What LV and HV settings share, so that one field table can write both.</summary>
public interface ISupplySettings
{
    int Board { get; }
    int Chan { get; }
    double SetV { get; }
    double MaxI { get; }
    double TripTime { get; }
    int TripInt { get; }
    int TripExt { get; }
}

/// <summary>One LV channel's hardware address and settings, after global values and overrides are merged.</summary>
public sealed record LvSettings(
    int Board, int Chan, double SetV, double MaxI, double OvVThr, double UnVThr,
    double TripTime, int TripInt, int TripExt, double RampUpTime, double RampDwnTime) : ISupplySettings;

/// <summary>
/// One HV channel's hardware address and settings, after global values and overrides are merged.
/// <paramref name="MaxV"/> is the board's software voltage limit (SVMax); null when channels.yml gives none
/// and the crate's own limit is left as found.
/// </summary>
public sealed record HvSettings(
    int Board, int Chan, double SetV, double MaxI, double RampUpSpeed, double RampDwnSpeed,
    double TripTime, int TripInt, int TripExt, TripMode TripMode, ImRange ImRange, double? MaxV = null) : ISupplySettings;

/// <summary>A channel of channels.yml: a module's LV and HV supplies. Without a module it is monitored, never commanded.</summary>
public sealed record ChannelConfig(string Id, string? Module, LvSettings Lv, HvSettings Hv)
{
    public bool IsActive => Module is not null;

    public ISupplySettings Supply(PowerKind kind) => kind == PowerKind.Lv ? Lv : Hv;
}
