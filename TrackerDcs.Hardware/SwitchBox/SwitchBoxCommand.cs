namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>What a command line asks the box to do.</summary>
public enum SwitchBoxAction { LvOn, LvOff, HvOn, HvOff, ChannelOn, ChannelOff, AllChannelsOff, StatusQuery }

/// <summary>
/// One command of the box's command set; <see cref="ToString"/> is its line on the wire ("CH5|ON").
/// Made through the factories, which accept only commands the box has.
/// </summary>
public sealed record SwitchBoxCommand
{
    private SwitchBoxCommand(SwitchBoxAction action, int channel = 0)
    {
        Action = action;
        Channel = channel;
    }

    public static readonly SwitchBoxCommand LvOn = new(SwitchBoxAction.LvOn);
    public static readonly SwitchBoxCommand LvOff = new(SwitchBoxAction.LvOff);
    public static readonly SwitchBoxCommand HvOn = new(SwitchBoxAction.HvOn);
    public static readonly SwitchBoxCommand HvOff = new(SwitchBoxAction.HvOff);
    public static readonly SwitchBoxCommand AllChannelsOff = new(SwitchBoxAction.AllChannelsOff);
    public static readonly SwitchBoxCommand StatusQuery = new(SwitchBoxAction.StatusQuery);

    public static SwitchBoxCommand Lv(bool on) => on ? LvOn : LvOff;
    public static SwitchBoxCommand Hv(bool on) => on ? HvOn : HvOff;

    /// <summary>CH&lt;n&gt;|ON or CH&lt;n&gt;|OFF; a channel outside 1..48 is the caller's bug (validate operator input first).</summary>
    public static SwitchBoxCommand Switch(int channel, bool on)
    {
        SwitchBoxProtocol.Bit(channel);
        return new(on ? SwitchBoxAction.ChannelOn : SwitchBoxAction.ChannelOff, channel);
    }

    public SwitchBoxAction Action { get; }

    /// <summary>1..48 for <see cref="SwitchBoxAction.ChannelOn"/> and <see cref="SwitchBoxAction.ChannelOff"/>, otherwise 0.</summary>
    public int Channel { get; }

    /// <summary>STATUS? changes nothing: the driver answers it from the last status, without asking the box.</summary>
    public bool IsQuery => Action == SwitchBoxAction.StatusQuery;

    /// <summary>Whether a status shows this command carried out (a query is always).</summary>
    public bool IsDoneIn(SwitchBoxStatus status) => Action switch
    {
        SwitchBoxAction.LvOn => status.Lv,
        SwitchBoxAction.LvOff => !status.Lv,
        SwitchBoxAction.HvOn => status.Hv,
        SwitchBoxAction.HvOff => !status.Hv,
        SwitchBoxAction.ChannelOn => status.IsEnabled(Channel),
        SwitchBoxAction.ChannelOff => !status.IsEnabled(Channel),
        SwitchBoxAction.AllChannelsOff => status.Channels == 0,
        _ => true,
    };

    public override string ToString() => SwitchBoxProtocol.Format(this);
}
