namespace TrackerDcs.Hardware.Marta;

/// <summary>What happened: the link was lost, or a read of the status register and the start bits gave one of these.</summary>
public enum MartaEvent { LinkLost, ReadIdle, ReadChillerRunning, ReadCo2Running, ReadAlarm, ReadInconsistent }

/// <summary>
/// MARTA's state machine as a table (state × event → next state). The state is derived after every read from
/// the status register and the two start bits, by the seed's rules (<see cref="Classify"/>); a read that no rule
/// explains is the plant's doing, never TrackerDcs's, and puts MARTA in ALARM with the reason, so that nothing can
/// be started until the operator has looked (clear_alarms writes both start bits to 0). A missing transition is a
/// bug in TrackerDcs: every read maps to an event that every state accepts.
/// </summary>
public static class MartaStateMachine
{
    private static readonly Dictionary<MartaEvent, MartaState> OnRead = new()
    {
        [MartaEvent.ReadIdle] = MartaState.Connected,
        [MartaEvent.ReadChillerRunning] = MartaState.ChillerRunning,
        [MartaEvent.ReadCo2Running] = MartaState.Co2Running,
        [MartaEvent.ReadAlarm] = MartaState.Alarm,
        [MartaEvent.ReadInconsistent] = MartaState.Alarm,
    };

    /// <summary>The table. A first read after a (re)connection comes from INIT or DISCONNECTED; no event leads back to INIT.</summary>
    public static readonly IReadOnlyDictionary<(MartaState, MartaEvent), MartaState> Transitions = Build();

    private static Dictionary<(MartaState, MartaEvent), MartaState> Build()
    {
        var table = new Dictionary<(MartaState, MartaEvent), MartaState>();
        foreach (var state in Enum.GetValues<MartaState>())
        {
            table[(state, MartaEvent.LinkLost)] = MartaState.Disconnected;
            foreach (var (read, next) in OnRead) table[(state, read)] = next;
        }
        return table;
    }

    public static MartaState Next(MartaState state, MartaEvent @event) =>
        Transitions.TryGetValue((state, @event), out var next)
            ? next
            : throw new InvalidOperationException($"MARTA state machine: {@event} in {state.Wire()} is not a transition (a bug in TrackerDcs, not the plant)");

    /// <summary>
    /// The seed's rules, in order: status 3 is ALARM; set_start_co2 1 with set_start_chiller 0 must never happen;
    /// status 1 with the chiller off is CONNECTED; status 1 with the chiller on and CO2 off is CHILLER_RUNNING;
    /// status 1 or 2 with CO2 on is CO2_RUNNING. Anything else is inconsistent, with the reason.
    /// </summary>
    public static (MartaEvent Event, string? Problem) Classify(int status, bool startChiller, bool startCo2)
    {
        const string NotOurs = "the plant's doing, not TrackerDcs's";
        return (status, startChiller, startCo2) switch
        {
            (3, _, _) => (MartaEvent.ReadAlarm, null),
            (_, false, true) => (MartaEvent.ReadInconsistent, $"set_start_co2 is 1 with set_start_chiller 0 (status {status}): never allowed; {NotOurs}"),
            (1, false, false) => (MartaEvent.ReadIdle, null),
            (1, true, false) => (MartaEvent.ReadChillerRunning, null),
            (1 or 2, true, true) => (MartaEvent.ReadCo2Running, null),
            (2, _, false) => (MartaEvent.ReadInconsistent, $"status 2 (CO2 running) while set_start_co2 is 0; {NotOurs}"),
            _ => (MartaEvent.ReadInconsistent, $"status {status} is none of 1, 2, 3; {NotOurs}"),
        };
    }
}
