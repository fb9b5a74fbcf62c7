namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>One of the seed's switching rules: a short id for logs and replies, and its text for people.</summary>
public sealed record SwitchBoxRule(string Id, string Text)
{
    public override string ToString() => $"{Text} (rule {Id})";
}

/// <summary>
/// The seed's rules for the switch box (issue 14), checked against the box's last status: a command that
/// would break one is refused, naming the rule, and never reaches the box; a status that breaks one puts
/// the device in ERROR. The box itself enforces none of them (see <see cref="SwitchBoxSimulator"/>).
/// </summary>
public static class SwitchBoxRules
{
    public const int DefaultMaxEnabledChannels = 4;

    /// <summary>Each enabled channel powers a module: the LV supply and the cooling are sized for a few at once.</summary>
    public static SwitchBoxRule MaxChannels(int maxEnabledChannels) =>
        new("max-channels", $"at most {maxEnabledChannels} channel{(maxEnabledChannels == 1 ? "" : "s")} enabled at once");

    /// <summary>A relay that opens or closes under bias arcs and sends a transient into the sensor.</summary>
    public static readonly SwitchBoxRule ChannelsNeedHvOff = new("channels-need-hv-off", "channels change only while HV is off");

    /// <summary>Biasing a sensor whose readout chips are unpowered is unsafe for the module.</summary>
    public static readonly SwitchBoxRule HvNeedsLv = new("hv-needs-lv", "HV on only with LV on");

    public static readonly SwitchBoxRule LvOffNeedsHvOff = new("lv-off-needs-hv-off", "LV off only with HV off");

    /// <summary>Every rule, for a panel that shows them.</summary>
    public static IReadOnlyList<SwitchBoxRule> All(int maxEnabledChannels) =>
        [MaxChannels(maxEnabledChannels), ChannelsNeedHvOff, HvNeedsLv, LvOffNeedsHvOff];

    /// <summary>The rule a command would break in this status and why, or null when it breaks none.</summary>
    public static (SwitchBoxRule Rule, string Why)? BrokenBy(SwitchBoxCommand command, SwitchBoxStatus status, int maxEnabledChannels) =>
        command.Action switch
        {
            // Commands on channels are refused under HV even when they would change nothing: the rule is simpler to trust.
            SwitchBoxAction.ChannelOn or SwitchBoxAction.ChannelOff or SwitchBoxAction.AllChannelsOff when status.Hv =>
                (ChannelsNeedHvOff, "HV is on"),
            SwitchBoxAction.ChannelOn when !status.IsEnabled(command.Channel) && status.EnabledCount >= maxEnabledChannels =>
                (MaxChannels(maxEnabledChannels), $"{Channels(status)} already enabled"),
            SwitchBoxAction.HvOn when !status.Lv => (HvNeedsLv, "LV is off"),
            SwitchBoxAction.LvOff when status.Hv => (LvOffNeedsHvOff, "HV is on"),
            _ => null,
        };

    /// <summary>The rule a status breaks and how, or null when it keeps them all.</summary>
    public static (SwitchBoxRule Rule, string Why)? BrokenBy(SwitchBoxStatus status, int maxEnabledChannels) =>
        status.Hv && !status.Lv ? (HvNeedsLv, "the box reports HV on with LV off")
        : status.EnabledCount > maxEnabledChannels ? (MaxChannels(maxEnabledChannels), $"the box reports {Channels(status)} enabled")
        : null;

    private static string Channels(SwitchBoxStatus status) =>
        $"{status.EnabledCount} channel{(status.EnabledCount == 1 ? "" : "s")} ({string.Join(", ", status.EnabledChannels)})";
}
