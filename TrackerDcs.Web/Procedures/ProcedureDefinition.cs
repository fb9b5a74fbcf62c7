namespace TrackerDcs.Web.Procedures;

/// <summary>
/// One procedure file (procedures/&lt;name&gt;.yml) as loaded and validated: its parameters, its steps, the steps
/// that bring the stand to a safe state when it fails, and the alarms that end it. Values that name a parameter
/// are kept as expressions and evaluated when a run starts, with that run's parameters.
/// </summary>
public sealed record Procedure(
    string Name,
    string Description,
    string File,
    IReadOnlyList<ProcedureParameter> Parameters,
    IReadOnlyList<ProcedureStep> Steps,
    IReadOnlyList<ProcedureStep> OnAbort,
    IReadOnlyList<string> FatalAlarms)
{
    public ProcedureParameter? Parameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);
}

/// <summary>A parameter's type: a number, or a whole number (a count of cycles).</summary>
public enum ParameterType { Number, Integer }

/// <summary>A parameter a run may set within [Min, Max]; the default is used when the start command omits it.</summary>
public sealed record ProcedureParameter(string Name, ParameterType Type, string Unit, double Min, double Max, double Default, string Description)
{
    /// <summary>Null when the value fits the type and bounds, else why not.</summary>
    public string? Check(double value) =>
        !double.IsFinite(value) ? $"parameter '{Name}' must be a finite number"
        : Type == ParameterType.Integer && value != Math.Floor(value) ? $"parameter '{Name}' must be a whole number, got {Text(value)}"
        : value < Min || value > Max ? $"parameter '{Name}' = {Text(value)} {Unit} is outside its bounds [{Text(Min)}, {Text(Max)}]".Replace("  ", " ")
        : null;

    private static string Text(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A step, with the line of the file it comes from (for messages and the run's log).</summary>
public abstract record ProcedureStep(int Line)
{
    public abstract string Kind { get; }
}

/// <summary>`command: "&lt;topic&gt; [payload]"`: any bus command; the payload may name parameters ($cold).</summary>
public sealed record CommandStep(int Line, string Topic, ProcedureText Payload) : ProcedureStep(Line)
{
    public override string Kind => "command";
}

/// <summary>`wait_until`: a condition over the interlock signals that must hold for stable_for, within timeout.</summary>
public sealed record WaitUntilStep(int Line, ProcedureText Condition, ProcedureValue StableFor, ProcedureValue Timeout) : ProcedureStep(Line)
{
    public override string Kind => "wait_until";
}

/// <summary>`wait: &lt;seconds&gt;`.</summary>
public sealed record WaitStep(int Line, ProcedureValue Seconds) : ProcedureStep(Line)
{
    public override string Kind => "wait";
}

/// <summary>`chiller_ramp`: the chiller's set point moved to `to` at `rate` K/min, a new set point every `every` seconds.</summary>
public sealed record ChillerRampStep(int Line, ProcedureValue To, ProcedureValue Rate, ProcedureValue Every, int Setpoint) : ProcedureStep(Line)
{
    public override string Kind => "chiller_ramp";
}

/// <summary>`repeat`: `count` times the nested steps.</summary>
public sealed record RepeatStep(int Line, ProcedureValue Count, IReadOnlyList<ProcedureStep> Steps) : ProcedureStep(Line)
{
    public override string Kind => "repeat";
}

/// <summary>`calibration`: a Ph2_ACF run of the run's modules (ph2acf/cmd/start); the step ends with its result, within `timeout`.</summary>
public sealed record CalibrationStep(int Line, string Name, ProcedureValue Timeout) : ProcedureStep(Line)
{
    public override string Kind => "calibration";
}

/// <summary>
/// `iv_scan`: the HV of the channels stepped together from start to stop; at each point, after the settle time,
/// `samples` readings of IMon give the mean and standard deviation. The scan stops at compliance (a mean at or
/// above it, µA) or breakdown (a mean above `breakdown_factor` times the previous point's), and always ramps back
/// to its start voltage. Channels null: the HV channels of the run's modules (`channels: modules`). `ramp_rate` (V/s):
/// the channels' RUp and RDWn during the scan (null: their own); `temperature`: the interlock signal recorded as the
/// sensor temperature at each point.
/// </summary>
public sealed record IvScanStep(int Line, IReadOnlyList<string>? Channels, ProcedureValue Start, ProcedureValue Stop, ProcedureValue Step,
    ProcedureValue Settle, ProcedureValue Samples, ProcedureValue Compliance, ProcedureValue? BreakdownFactor,
    ProcedureValue? RampRate = null, string Temperature = IvScanStep.DefaultTemperature) : ProcedureStep(Line)
{
    /// <summary>The sensor temperature when a scan names none: the hottest DS18B20 probe of the sensor boxes (the cold plate's).</summary>
    public const string DefaultTemperature = "sensor.max.DS_temp";

    public override string Kind => "iv_scan";
}

/// <summary>`note: &lt;text&gt;`: a line in procedures/log and the run's record.</summary>
public sealed record NoteStep(int Line, ProcedureText Text) : ProcedureStep(Line)
{
    public override string Kind => "note";
}
