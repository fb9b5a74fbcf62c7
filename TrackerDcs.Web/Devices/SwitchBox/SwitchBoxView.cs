using TrackerDcs.Hardware;
using TrackerDcs.Hardware.SwitchBox;

namespace TrackerDcs.Web.Devices.SwitchBox;

/// <summary>
/// The switch box as the rest of the process reads it: the panel, the interlocks and the SB/status payload
/// (<see cref="SwitchBoxTopics"/>). Immutable, built from one <see cref="SwitchBoxSnapshot"/>; the state is its
/// wire name. The state machine's and the rules' verdict on every command is evaluated here, so the panel enables
/// exactly the buttons the driver would accept and says why the others are off.
/// </summary>
public sealed record SwitchBoxView(string State, SwitchBoxMode Mode, SwitchBoxStatus? Status, string? LastError, int MaxChannels)
{
    /// <summary>SwitchBox:Enabled is false: there is no box on this stand.</summary>
    public const string DisabledState = "DISABLED";

    public static readonly string Disconnected = SwitchBoxState.Disconnected.Wire();
    public static readonly string Connected = SwitchBoxState.Connected.Wire();
    public static readonly string Error = SwitchBoxState.Error.Wire();

    public static readonly SwitchBoxView Disabled = new(DisabledState, SwitchBoxMode.Serial, null, null, SwitchBoxRules.DefaultMaxEnabledChannels);

    public static readonly IReadOnlyList<int> Channels = [.. Enumerable.Range(1, SwitchBoxProtocol.ChannelCount)];

    /// <summary>The driver's state itself; null when disabled.</summary>
    private SwitchBoxState? StateValue { get; init; }

    public bool IsEnabled => State != DisabledState;

    /// <summary>Whether the status is the box's state now: read on an open link (not DISCONNECTED, not before the first status).</summary>
    public bool Known => Status is not null && StateValue is not (null or SwitchBoxState.Disconnected or SwitchBoxState.Connected);

    public bool? Lv => Known ? Status!.Lv : null;
    public bool? Hv => Known ? Status!.Hv : null;
    public IReadOnlyList<int> EnabledChannels => Status?.EnabledChannels ?? [];
    public int? EnabledCount => Known ? Status!.EnabledCount : null;

    /// <summary>The rules commands are checked against, with this box's channel limit.</summary>
    public IReadOnlyList<SwitchBoxRule> Rules => SwitchBoxRules.All(MaxChannels);

    /// <summary>
    /// Why the driver would refuse this command now (the state machine, then the rules, each naming its rule), or
    /// null when it would send it. In wifi mode the same check guards the pass-through, against the status the box published last.
    /// </summary>
    public string? Refusal(SwitchBoxCommand command)
    {
        if (!IsEnabled) return "there is no switch box on this stand (SwitchBox:Enabled is false)";
        if (StateValue is not { } state) return $"{command} refused: the switch box is {State}";
        return SwitchBoxStateMachine.Refusal(command, state, Status, MaxChannels)
               ?? (state == SwitchBoxState.Disconnected ? $"{command} refused: the switch box is disconnected" : null);
    }

    public static SwitchBoxView From(SwitchBoxSnapshot snapshot, SwitchBoxMode mode) =>
        new(snapshot.FsmState, mode, snapshot.Status, snapshot.LastError, snapshot.MaxEnabledChannels) { StateValue = snapshot.State };
}
