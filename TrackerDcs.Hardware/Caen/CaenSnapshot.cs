namespace TrackerDcs.Hardware.Caen;

/// <summary>The crate at one moment (<see cref="CaenDevice.Snapshot"/>): its map, its state and every channel of the map.</summary>
public sealed record CaenSnapshot(ChannelMap Map, CaenState State, IReadOnlyList<ChannelReading> Channels)
{
    /// <summary>Whether any active channel's HV is on or still ramping: what the command guards ask.</summary>
    public bool HvLive => Channels.Any(c => c.Config.IsActive && c.Snapshot.HvLive);

    /// <summary>Whether any active channel's LV is on.</summary>
    public bool LvOn => Channels.Any(c => c.Config.IsActive && c.Snapshot.LvOn);
}
