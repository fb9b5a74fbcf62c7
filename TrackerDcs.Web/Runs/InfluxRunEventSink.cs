namespace TrackerDcs.Web.Runs;

/// <summary>
/// Writes run events to InfluxDB, measurement <c>runs</c>: tags calibration and event (start/end), fields run,
/// state, modules, operator, comment, title and text (what a Grafana annotation query shows), and at the end
/// exit_code and duration_s.
/// </summary>
public sealed class InfluxRunEventSink(InfluxDbHttp influx) : IRunEventSink
{
    public Task WriteAsync(RunEvent e, CancellationToken ct = default)
    {
        var run = e.Run;
        var fields = new List<(string, object)>
        {
            ("run", run.Run),
            ("state", run.State.ToString().ToLowerInvariant()),
            ("modules", string.Join(',', run.Modules)),
            ("operator", run.Operator),
            ("comment", run.Comment),
            ("title", $"run {run.Run} {run.Calibration} {e.Event}"),
            ("text", e.Event == "start" ? $"{run.Calibration} on {string.Join(", ", run.Modules)} by {run.Operator}" : $"{run.State.ToString().ToLowerInvariant()}: {run.Reason}"),
        };
        if (run.ExitCode is { } exit) fields.Add(("exit_code", exit));
        if (run.EndMs is { } end) fields.Add(("duration_s", (end - run.StartMs) / 1000.0));
        var line = InfluxLineProtocol.Line("runs", [("calibration", run.Calibration), ("event", e.Event)], fields, e.TimeMs);
        return influx.WriteAsync(line, ct);
    }
}
