namespace TrackerDcs.Hardware.Caen;

/// <summary>The crate at one moment (<see cref="CaenDevice.Snapshot"/>): its map, its state and every channel of the map.</summary>
public sealed record CaenSnapshot(ChannelMap Map, CaenState State, IReadOnlyList<ChannelReading> Channels, IReadOnlyList<MissingPv> Missing)
{
    /// <summary>Whether any active channel's HV is on or still ramping: what the command guards ask.</summary>
    public bool HvLive => Channels.Any(c => c.Config.IsActive && c.Snapshot.HvLive);

    /// <summary>Whether any active channel's LV is on.</summary>
    public bool LvOn => Channels.Any(c => c.Config.IsActive && c.Snapshot.LvOn);
}

/// <summary>A PV of the map the reachable IOC does not serve, and what that costs the channel (issue 16).</summary>
public sealed record MissingPv(string Pv, string ChannelId, PowerKind Kind, CaenField Field)
{
    /// <summary>"cleanroom:12:001:SVMax not found: channel 1 HV is not protected": the log line, the alarm and /readyz say this.</summary>
    public string Text => $"{Pv} not found: channel {ChannelId} {(Kind == PowerKind.Lv ? "LV" : "HV")} {Field.IfMissing}";
}
