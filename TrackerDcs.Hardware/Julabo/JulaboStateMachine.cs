namespace TrackerDcs.Hardware.Julabo;

/// <summary>What happened to the device: the link came or went, or a STATUS was read.</summary>
public enum JulaboEvent { LinkOpened, LinkLost, StatusRemoteStop, StatusRemoteStart, StatusFault }

/// <summary>The commands whose permission depends on the state.</summary>
public enum JulaboAction { Start, Stop, Configure }

/// <summary>
/// The device state machine as tables: state × event → next state, and which state allows which
/// command. A missing transition is our bug (the device only reads a status on an open link), never
/// the unit's: every status code the unit can send maps to an event that every connected state accepts.
/// </summary>
public static class JulaboStateMachine
{
    private static readonly JulaboState[] Linked = [JulaboState.Connected, JulaboState.Off, JulaboState.On, JulaboState.Error];

    private static readonly Dictionary<(JulaboState, JulaboEvent), JulaboState> Transitions = Build();

    private static readonly Dictionary<JulaboAction, JulaboState[]> AllowedIn = new()
    {
        [JulaboAction.Start] = [JulaboState.Off],
        [JulaboAction.Stop] = [JulaboState.On, JulaboState.Error],
        [JulaboAction.Configure] = Linked,
    };

    private static Dictionary<(JulaboState, JulaboEvent), JulaboState> Build()
    {
        var table = new Dictionary<(JulaboState, JulaboEvent), JulaboState>
        {
            [(JulaboState.Disconnected, JulaboEvent.LinkOpened)] = JulaboState.Connected,
            [(JulaboState.Disconnected, JulaboEvent.LinkLost)] = JulaboState.Disconnected,
        };
        foreach (var state in Linked)
        {
            table[(state, JulaboEvent.LinkLost)] = JulaboState.Disconnected;
            table[(state, JulaboEvent.StatusRemoteStop)] = JulaboState.Off;
            table[(state, JulaboEvent.StatusRemoteStart)] = JulaboState.On;
            table[(state, JulaboEvent.StatusFault)] = JulaboState.Error;
        }
        return table;
    }

    /// <summary>02 remote stop, 03 remote start; manual mode (00/01) and negative codes are faults for the panel.</summary>
    public static JulaboEvent EventFor(JulaboUnitStatus status) => status.Code switch
    {
        JulaboUnitStatus.RemoteStop => JulaboEvent.StatusRemoteStop,
        JulaboUnitStatus.RemoteStart => JulaboEvent.StatusRemoteStart,
        _ => JulaboEvent.StatusFault,
    };

    public static JulaboState Next(JulaboState state, JulaboEvent @event) =>
        Transitions.TryGetValue((state, @event), out var next)
            ? next
            : throw new InvalidOperationException($"Julabo state machine: {@event} in {state} is not a transition (a bug in TrackerDcs, not the unit)");

    public static bool Allows(JulaboState state, JulaboAction action) => AllowedIn[action].Contains(state);

    /// <summary>Why an action is refused in a state, or null when it is allowed.</summary>
    public static string? Refusal(JulaboState state, JulaboAction action) => Allows(state, action)
        ? null
        : $"{action.ToString().ToLowerInvariant()} is not allowed while the chiller is {state.Wire()}" +
          $" (allowed in {string.Join(", ", AllowedIn[action].Select(s => s.Wire()))})";
}
