namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>What happened to the device: the link came or went, or a status was read.</summary>
public enum SwitchBoxEvent { LinkOpened, LinkLost, StatusLvOff, StatusLvOn, StatusHvOn, StatusBreaksRule }

/// <summary>
/// The device state machine as tables: state × event → next state, and which state allows which action.
/// A missing transition is our bug (a status is only read on an open link), never the box's: every status
/// the box can send maps to an event that every connected state accepts. Within the states that allow an
/// action, <see cref="SwitchBoxRules"/> decide on the status itself.
/// </summary>
public static class SwitchBoxStateMachine
{
    private static readonly SwitchBoxState[] Linked =
        [SwitchBoxState.Connected, SwitchBoxState.LvOff, SwitchBoxState.LvOn, SwitchBoxState.HvOn, SwitchBoxState.Error];

    // States whose status is known and keeps the rules; ERROR allows only switching off.
    private static readonly SwitchBoxState[] Sound = [SwitchBoxState.LvOff, SwitchBoxState.LvOn, SwitchBoxState.HvOn];
    private static readonly SwitchBoxState[] Known = [.. Sound, SwitchBoxState.Error];

    private static readonly Dictionary<(SwitchBoxState, SwitchBoxEvent), SwitchBoxState> Transitions = Build();

    private static readonly Dictionary<SwitchBoxAction, SwitchBoxState[]> AllowedIn = new()
    {
        [SwitchBoxAction.LvOn] = Sound,
        [SwitchBoxAction.HvOn] = Sound,
        [SwitchBoxAction.ChannelOn] = Sound,
        [SwitchBoxAction.LvOff] = Known,
        [SwitchBoxAction.HvOff] = Known,
        [SwitchBoxAction.ChannelOff] = Known,
        [SwitchBoxAction.AllChannelsOff] = Known,
        // Answered from the last status, whatever it is (the state says how much it is worth).
        [SwitchBoxAction.StatusQuery] = [SwitchBoxState.Disconnected, .. Linked],
    };

    private static Dictionary<(SwitchBoxState, SwitchBoxEvent), SwitchBoxState> Build()
    {
        var table = new Dictionary<(SwitchBoxState, SwitchBoxEvent), SwitchBoxState>
        {
            [(SwitchBoxState.Disconnected, SwitchBoxEvent.LinkOpened)] = SwitchBoxState.Connected,
            [(SwitchBoxState.Disconnected, SwitchBoxEvent.LinkLost)] = SwitchBoxState.Disconnected,
        };
        foreach (var state in Linked)
        {
            table[(state, SwitchBoxEvent.LinkLost)] = SwitchBoxState.Disconnected;
            table[(state, SwitchBoxEvent.StatusLvOff)] = SwitchBoxState.LvOff;
            table[(state, SwitchBoxEvent.StatusLvOn)] = SwitchBoxState.LvOn;
            table[(state, SwitchBoxEvent.StatusHvOn)] = SwitchBoxState.HvOn;
            table[(state, SwitchBoxEvent.StatusBreaksRule)] = SwitchBoxState.Error;
        }
        return table;
    }

    /// <summary>The event a status is: a broken rule first, then HV, then LV.</summary>
    public static SwitchBoxEvent EventFor(SwitchBoxStatus status, int maxEnabledChannels) =>
        SwitchBoxRules.BrokenBy(status, maxEnabledChannels) is not null ? SwitchBoxEvent.StatusBreaksRule
        : status.Hv ? SwitchBoxEvent.StatusHvOn
        : status.Lv ? SwitchBoxEvent.StatusLvOn
        : SwitchBoxEvent.StatusLvOff;

    public static SwitchBoxState Next(SwitchBoxState state, SwitchBoxEvent @event) =>
        Transitions.TryGetValue((state, @event), out var next)
            ? next
            : throw new InvalidOperationException($"switch box state machine: {@event} in {state.Wire()} is not a transition (a bug in TrackerDcs, not the box)");

    public static bool Allows(SwitchBoxState state, SwitchBoxAction action) => AllowedIn[action].Contains(state);

    /// <summary>
    /// Why a command is refused in this state with this last status, or null when it may be sent. The
    /// state decides first (nothing is sent without a known status; ERROR allows only switching off),
    /// then the rules, each refusal naming its rule.
    /// </summary>
    public static string? Refusal(SwitchBoxCommand command, SwitchBoxState state, SwitchBoxStatus? status, int maxEnabledChannels)
    {
        if (!Allows(state, command.Action))
            return $"{command} refused: not allowed while the switch box is {state.Wire()}" +
                   (state == SwitchBoxState.Error ? " (only switching off is allowed until the status keeps the rules)"
                       : $" (allowed in {string.Join(", ", AllowedIn[command.Action].Select(s => s.Wire()))})");
        if (command.IsQuery || status is null) return null;
        return SwitchBoxRules.BrokenBy(command, status, maxEnabledChannels) is var (rule, why)
            ? $"{command} refused: {rule}: {why}"
            : null;
    }
}
