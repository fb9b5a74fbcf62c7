using System.Globalization;
using TrackerDcs.Web.Interlocks;

namespace TrackerDcs.Web.Procedures;

/// <summary>One step as a run executes it: parameters filled in, repeats unrolled, with an estimate of its duration.</summary>
public sealed record PlannedStep(int Index, string Kind, int Line, string Where, string Description, double EstimateSeconds, PlannedAction Action);

public abstract record PlannedAction;
public sealed record SendCommand(string Topic, string Payload) : PlannedAction;
public sealed record WaitFor(string Text, InterlockCondition Condition, TimeSpan StableFor, TimeSpan Timeout) : PlannedAction;
public sealed record Hold(TimeSpan Duration) : PlannedAction;
public sealed record RampChiller(double To, double RatePerMinute, TimeSpan Every, int Setpoint) : PlannedAction;
public sealed record Note(string Text) : PlannedAction;
public sealed record RunCalibration(string Name, TimeSpan Timeout) : PlannedAction;
public sealed record ScanIv(IReadOnlyList<string>? Channels, IReadOnlyList<double> Points, TimeSpan Settle, int Samples, double Compliance, double? BreakdownFactor,
    double? RampRate = null, string Temperature = IvScanStep.DefaultTemperature) : PlannedAction
{
    /// <summary>
    /// The least the scan takes (issue 17's yardstick): every point's settle time, and with a ramp rate the way up from
    /// the first point to the last and back down at that rate (without one, the channels' own speed is not known here).
    /// </summary>
    public double MinimumSeconds => Points.Count * Settle.TotalSeconds + (RampRate is { } rate ? 2 * Math.Abs(Points[^1] - Points[0]) / rate : 0);
}

/// <summary>
/// A procedure with a run's parameters, unrolled into the flat list the runner walks: the index of a step is
/// its place in the progress, and the estimates give the time left (a wait_until counts its stable_for, the
/// least it can take; a ramp counts its distance at its rate from the set point before it).
/// </summary>
public static class ProcedurePlan
{
    /// <summary>A run longer than this many steps is a mistake in its parameters (a count of 10⁶), refused at start.</summary>
    public const int MaxSteps = 100_000;

    public static IReadOnlyList<PlannedStep> Unroll(IReadOnlyList<ProcedureStep> steps, IReadOnlyDictionary<string, double> parameters, double? setpointBefore)
    {
        var planned = new List<PlannedStep>();
        var setpoint = setpointBefore;
        void Walk(IReadOnlyList<ProcedureStep> list, string where)
        {
            foreach (var step in list)
            {
                if (planned.Count > MaxSteps) throw new InvalidOperationException($"more than {MaxSteps} steps with these parameters");
                if (step is RepeatStep repeat)
                {
                    var count = (int)repeat.Count.Evaluate(parameters);
                    for (var i = 1; i <= count; i++) Walk(repeat.Steps, $"{where}repeat {i}/{count} (line {repeat.Line}) › ");
                    continue;
                }
                var (action, estimate) = Plan(step, parameters, ref setpoint);
                planned.Add(new PlannedStep(planned.Count, step.Kind, step.Line, where, Describe(action), estimate, action));
            }
        }
        Walk(steps, "");
        return planned;
    }

    private static (PlannedAction, double) Plan(ProcedureStep step, IReadOnlyDictionary<string, double> p, ref double? setpoint)
    {
        switch (step)
        {
            case CommandStep c:
                return (new SendCommand(c.Topic, c.Payload.Fill(p)), 0);
            case WaitUntilStep w:
                var text = w.Condition.Fill(p);
                var stable = Seconds(w.StableFor.Evaluate(p));
                return (new WaitFor(text, InterlockCondition.Parse(text, 0), stable, Seconds(w.Timeout.Evaluate(p))), stable.TotalSeconds);
            case WaitStep w:
                var seconds = w.Seconds.Evaluate(p);
                return (new Hold(Seconds(seconds)), seconds);
            case ChillerRampStep r:
                var ramp = new RampChiller(r.To.Evaluate(p), r.Rate.Evaluate(p), Seconds(r.Every.Evaluate(p)), r.Setpoint);
                var estimate = setpoint is { } from ? Math.Abs(ramp.To - from) / ramp.RatePerMinute * 60 : 0;
                setpoint = ramp.To;
                return (ramp, estimate);
            case IvScanStep iv:
                var scan = new ScanIv(iv.Channels, IvPoints(iv.Start.Evaluate(p), iv.Stop.Evaluate(p), iv.Step.Evaluate(p)),
                    Seconds(iv.Settle.Evaluate(p)), (int)iv.Samples.Evaluate(p), iv.Compliance.Evaluate(p), iv.BreakdownFactor?.Evaluate(p),
                    iv.RampRate?.Evaluate(p), iv.Temperature);
                return (scan, scan.MinimumSeconds);
            case CalibrationStep c:
                // How long a calibration takes is the program's business: no estimate.
                return (new RunCalibration(c.Name, Seconds(c.Timeout.Evaluate(p))), 0);
            case NoteStep n:
                return (new Note(n.Text.Fill(p)), 0);
            default:
                throw new InvalidOperationException($"step {step.Kind} is not planned");
        }
    }

    /// <summary>start, start ± step, …, and stop itself as the last point.</summary>
    public static IReadOnlyList<double> IvPoints(double start, double stop, double step)
    {
        var points = new List<double>();
        var direction = Math.Sign(stop - start);
        for (var k = 0; ; k++)
        {
            var v = Math.Round(start + direction * k * step, 6);
            if (direction == 0 || direction * (v - stop) >= 0) break;
            if (points.Count >= MaxSteps) throw new InvalidOperationException($"an IV scan of more than {MaxSteps} points");
            points.Add(v);
        }
        points.Add(stop);
        return points;
    }

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    public static string Describe(PlannedAction action) => action switch
    {
        SendCommand c => c.Payload == "" ? c.Topic : $"{c.Topic} {c.Payload}",
        WaitFor w => Invariant($"until {w.Text} for {w.StableFor.TotalSeconds} s (time-out {w.Timeout.TotalSeconds} s)"),
        Hold w => Invariant($"{w.Duration.TotalSeconds} s"),
        RampChiller r => Invariant($"set point {r.Setpoint} to {r.To} °C at {r.RatePerMinute} K/min, every {r.Every.TotalSeconds} s"),
        Note n => n.Text,
        RunCalibration c => Invariant($"{c.Name} (time-out {c.Timeout.TotalSeconds} s)"),
        ScanIv s => Invariant($"channels {(s.Channels is null ? "of the modules" : string.Join(", ", s.Channels))}: {s.Points.Count} points {s.Points[0]}…{s.Points[^1]} V, settle {s.Settle.TotalSeconds} s, {s.Samples} samples, compliance {s.Compliance} µA{(s.BreakdownFactor is { } k ? $", breakdown ×{k}" : "")}{(s.RampRate is { } r ? $", ramp {r} V/s" : "")}, temperature {s.Temperature}"),
        _ => action.ToString(),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
