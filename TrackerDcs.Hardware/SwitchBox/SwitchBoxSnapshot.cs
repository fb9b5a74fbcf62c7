namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>
/// Everything a publisher, a panel or an interlock needs at one instant, taken under the device's lock.
/// <see cref="Status"/> is the last status the box reported, kept while disconnected (the state says how
/// much it is worth); null until the box has answered once.
/// </summary>
/// <param name="LastError">Why the link was last lost, or which rule the status breaks in ERROR; null while all is well.</param>
public sealed record SwitchBoxSnapshot(SwitchBoxState State, SwitchBoxStatus? Status, string? LastError, int MaxEnabledChannels)
{
    public bool Lv => Status?.Lv ?? false;
    public bool Hv => Status?.Hv ?? false;
    public ulong ChannelMask => Status?.Channels ?? 0;
    public IReadOnlyList<int> EnabledChannels => Status?.EnabledChannels ?? [];

    /// <summary>The state as the seed names it on the wire (fsm_state): LV_OFF, HV_ON, DISCONNECTED, …</summary>
    public string FsmState => State.Wire();
}
