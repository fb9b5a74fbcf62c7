using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// One field of a CAEN channel, described once: its PV suffix, native CA type, units, whether a client may
/// write it, the monitor dead band (0 = every change; null = not monitored), the channels.yml setting it
/// carries, and its key: the seed's name in channels.yml and, with few exceptions (<see cref="JsonKey"/>), in the
/// dcs/channels JSON (prefixed lv_/hv_ there).
/// </summary>
public sealed record CaenField(string Name, CaType Type, string Units, bool Writable, string? Key)
{
    public IReadOnlyList<string> EnumStrings { get; init; } = [];
    public double? DeadBand { get; init; }
    /// <summary>The range a put must respect (the board's, not the stand's: channels.yml limits are the driver's business).</summary>
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary>HV IMon in the Low (350 µA) range resolves finer, so its monitor does too.</summary>
    public double? LowRangeDeadBand { get; init; }
    /// <summary>
    /// The archive dead band (ADEL: DBE_LOG, what archivers subscribe to), coarser than the monitor's; null: as
    /// <see cref="DeadBand"/>. The simulated crate's PVs carry both, as a CAEN IOC's ai records do (docs/architecture.md).
    /// </summary>
    public double? ArchiveDeadBand { get; init; }
    public double? LowRangeArchiveDeadBand { get; init; }
    /// <summary>
    /// The channels.yml value written to this field on load, if it is a setting. It yields null for an
    /// <see cref="Optional"/> setting the file leaves out: nothing is written, the crate keeps what it has.
    /// </summary>
    public Func<ISupplySettings, object?>? Setting { get; init; }
    /// <summary>A setting channels.yml may leave out (added after the seed, so the seed's files still load).</summary>
    public bool Optional { get; init; }
    /// <summary>What a channel loses when the IOC does not serve this field, after "channel 1 HV": "is not protected", …</summary>
    public string IfMissing { get; init; } = "is not protected";

    /// <summary>
    /// The key in dcs/channels after lv_/hv_, and so the InfluxDB field name: <see cref="Key"/> unless the seed spelled
    /// it otherwise there. Its dcs.py published <c>lv_unVthr</c> and <c>lv_ovVthr</c> for channels.yml's unVThr and
    /// ovVThr; a stand that goes on writing to a seed database must use its spelling, or the field exists twice.
    /// </summary>
    public string? JsonKey { get => field ?? Key; init; }

    public double? DeadBandIn(ImRange range) =>
        range == ImRange.Low && LowRangeDeadBand is { } low ? low : DeadBand;

    public double? ArchiveDeadBandIn(ImRange range) =>
        range == ImRange.Low && LowRangeArchiveDeadBand is { } low ? low : ArchiveDeadBand ?? DeadBandIn(range);
}
