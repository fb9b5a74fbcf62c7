using System.Globalization;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// A procedure run's points for InfluxDB (docs/architecture.md, "InfluxDB schema"). <c>procedures</c>: one event per
/// run start, step start and run end, tagged procedure, run, event (start, step, on_abort, end) and the step's number,
/// with a title and a text for Grafana's annotations. <c>iv</c>: one point per IV point and channel, tagged procedure,
/// run, module and channel; fields V (VMon), V_set, I and I_std (µA), T (the bath), T_ext (the chiller's external
/// sensor), T_sensor (the scan's sensor temperature signal) and dewpoint (°C). A point written twice has the same tags and time, which InfluxDB stores once.
/// </summary>
public static class ProcedureMeasurements
{
    public static TimePoint Start(ProcedureRunDocument run) => Event(run, "start", null, run.StartMs,
        $"procedure run {run.Run} started: {run.Procedure}{(run.Modules.Count > 0 ? $" on {string.Join(", ", run.Modules)}" : "")} by {run.Operator}",
        ("operator", run.Operator), ("comment", run.Comment), ("modules", string.Join(',', run.Modules)));

    public static TimePoint Step(ProcedureRunDocument run, StepRecord step, bool onAbort) => Event(run, onAbort ? "on_abort" : "step", step.Index + 1,
        step.StartMs, $"procedure run {run.Run} {(onAbort ? "on_abort " : "")}step {step.Index + 1}: {step.Kind} {step.Description}",
        ("kind", step.Kind), ("line", (long)step.Line), ("description", step.Description));

    public static TimePoint End(ProcedureRunDocument run)
    {
        var state = run.State.ToString().ToLowerInvariant();
        var end = run.EndMs ?? run.StartMs;
        return Event(run, "end", null, end, $"procedure run {run.Run} {state}{(run.Reason is { } reason ? $": {reason}" : "")}",
            ("state", state), ("reason", run.Reason ?? ""), ("duration_s", (end - run.StartMs) / 1000.0));
    }

    public static TimePoint Iv(ProcedureRunDocument run, IvPoint point)
    {
        var fields = new List<KeyValuePair<string, object>> { new("V_set", point.VSet), new("I", point.I), new("I_std", point.IStd) };
        // A reading not known at the point (no sensor box for the dew point) is left out, not written as a number.
        foreach (var (key, value) in new[] { ("V", point.V), ("T", point.ChillerBath), ("T_ext", point.ChillerExternal), ("T_sensor", point.SensorTemperature), ("dewpoint", point.Dewpoint) })
            if (value is { } v) fields.Add(new(key, v));
        return new TimePoint("iv", Tags(run, ("channel", point.Channel), ("module", point.Module ?? "")), fields, point.TimeMs);
    }

    private static TimePoint Event(ProcedureRunDocument run, string kind, int? step, long timeMs, string text, params (string Key, object Value)[] more)
    {
        var title = $"procedure run {run.Run} {run.Procedure} {kind}{(step is { } n ? $" {n}" : "")}";
        var fields = new List<KeyValuePair<string, object>> { new("title", title), new("text", text) };
        fields.AddRange(more.Select(f => new KeyValuePair<string, object>(f.Key, f.Value)));
        return new TimePoint("procedures", Tags(run, ("event", kind), ("step", step?.ToString(CultureInfo.InvariantCulture) ?? "")), fields, timeMs);
    }

    /// <summary>Sorted, as TimePoint keeps them; an empty value is no tag (InfluxDB has no empty tags).</summary>
    private static List<KeyValuePair<string, string>> Tags(ProcedureRunDocument run, params (string Key, string Value)[] more)
    {
        (string Key, string Value)[] all = [.. more, ("procedure", run.Procedure), ("run", run.Run.ToString(CultureInfo.InvariantCulture))];
        return [.. all.Where(t => t.Value != "").OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new KeyValuePair<string, string>(t.Key, t.Value))];
    }
}
