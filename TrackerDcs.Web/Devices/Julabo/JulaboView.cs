using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Julabo;

namespace TrackerDcs.Web.Devices.Julabo;

/// <summary>
/// The chiller as the rest of the process reads it: the panel, the alarms, the interlocks, the runs, the
/// sensors' dew-point margin and the julabo/status payload (<see cref="JulaboTopics"/>). Immutable, built from
/// one <see cref="JulaboSnapshot"/>; the state is its wire name, and the state machine's refusals are evaluated here.
/// </summary>
public sealed record JulaboView(
    string State,
    int? StatusCode,
    double? InternalTemp,
    double? ExternalTemp,
    double? Setpoint1,
    double? Setpoint2,
    double? Setpoint3,
    int? UsedSetpoint,
    double? Power,
    bool? ExtIsUsed,
    double? LimitHigh,
    double? LimitLow)
{
    public static readonly string Disconnected = JulaboState.Disconnected.Wire();
    public static readonly string Connected = JulaboState.Connected.Wire();
    public static readonly string On = JulaboState.On.Wire();
    public static readonly string Error = JulaboState.Error.Wire();

    /// <summary>The set points the unit has (1–3) and its pump pressure stages.</summary>
    public static readonly IReadOnlyList<int> Setpoints = [.. Enumerable.Range(1, JulaboProtocol.SetpointCount)];
    public static readonly IReadOnlyList<int> PumpStages = [.. Enumerable.Range(JulaboLimits.PumpStageMin, JulaboLimits.PumpStageMax - JulaboLimits.PumpStageMin + 1)];

    /// <summary>The unit's text for the status code ("REMOTE START", "LOW LIQUID LEVEL ALARM").</summary>
    public string? StatusText { get; init; }

    /// <summary>Why the link was last lost; null once healthy again.</summary>
    public string? LastError { get; init; }

    /// <summary>Why the unit does not hold the configured warning limits; null when it does (kept while disconnected).</summary>
    public string? LimitsProblem { get; init; }

    /// <summary>Why the external Pt100 the settings expect gives no reading; null when it reads or is not expected.</summary>
    public string? SensorProblem { get; init; }

    /// <summary>When the unit last gave a readable reply (or the driver started, if it never did); null in views built by hand.</summary>
    public DateTimeOffset? LastHeard { get; init; }

    /// <summary>The unit is not answering now: no link, or a port that opened but has not yet brought its status.</summary>
    public bool IsSilent => State == Disconnected || State == Connected;

    // Null when the chiller's state machine allows the command now, else why not.
    public string? StartRefusal { get; init; }
    public string? StopRefusal { get; init; }
    public string? ConfigureRefusal { get; init; }

    public bool IsDisconnected => State == Disconnected;

    /// <summary>An alarm or error code (negative), the unit's own -03/-04 warnings among them.</summary>
    public bool IsAlarm => StatusCode < 0;

    /// <summary>Manual mode (00/01): the unit ignores remote commands.</summary>
    public bool IsManual => StatusCode is JulaboUnitStatus.ManualStop or JulaboUnitStatus.ManualStart;

    /// <summary>The bath left the warning band the unit holds (-03 above the high limit, -04 below the low one).</summary>
    public bool AboveHighLimit => StatusCode == JulaboUnitStatus.ExcessTemperatureWarning;
    public bool BelowLowLimit => StatusCode == JulaboUnitStatus.LowTemperatureWarning;

    public double? Setpoint(int setpoint) => setpoint switch { 1 => Setpoint1, 2 => Setpoint2, 3 => Setpoint3, _ => null };

    public static JulaboView From(JulaboSnapshot snapshot)
    {
        var s = snapshot.Status;
        return new JulaboView(s.FsmState.Wire(), s.StatusCode, s.InternalTemp, s.ExternalTemp, s.Setpoint1, s.Setpoint2, s.Setpoint3,
            s.UsedSetpoint, s.Power, s.ExtIsUsed, s.LimitHigh, s.LimitLow)
        {
            StatusText = snapshot.StatusText,
            LastError = snapshot.LastError,
            LimitsProblem = snapshot.LimitsProblem,
            SensorProblem = snapshot.SensorProblem,
            LastHeard = snapshot.LastHeard,
            StartRefusal = JulaboStateMachine.Refusal(s.FsmState, JulaboAction.Start),
            StopRefusal = JulaboStateMachine.Refusal(s.FsmState, JulaboAction.Stop),
            ConfigureRefusal = JulaboStateMachine.Refusal(s.FsmState, JulaboAction.Configure),
        };
    }
}
