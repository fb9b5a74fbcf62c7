namespace TrackerDcs.Web.Runs;

/// <summary>
/// Writes run events to InfluxDB, measurement <c>runs</c>: tags calibration and event (start/end), fields run,
/// state, modules, operator, comment, title and text (what a Grafana annotation query shows), and at the end
/// exit_code and duration_s. Every event is first appended to a file in the data directory and removed from it
/// once InfluxDB has taken it, so events written while InfluxDB is away (or the process restarts) are sent
/// later; a point written twice has the same tags and time, which InfluxDB stores once. With Site:Stand, the tag stand
/// names the stand, as on every time series (TimeSeries/StandTag).
/// </summary>
public sealed class InfluxRunEventSink(InfluxDbHttp influx, string pendingFile, string stand = "") : IRunEventSink
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task WriteAsync(RunEvent e, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await File.AppendAllTextAsync(pendingFile, Line(e, stand) + "\n", ct);
            await SendPendingAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends what is pending; false when there was nothing to send.</summary>
    public async Task<bool> FlushAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await SendPendingAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> SendPendingAsync(CancellationToken ct)
    {
        if (!File.Exists(pendingFile)) return false;
        var lines = await File.ReadAllTextAsync(pendingFile, ct);
        if (lines.Trim() != "") await influx.WriteAsync(lines, ct);
        File.Delete(pendingFile);
        return true;
    }

    public static string Line(RunEvent e, string stand = "")
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
            // The annotation's text on the dashboards: whole on its own, as Grafana shows it without the title.
            ("text", e.Event == "start"
                ? $"run {run.Run} started: {run.Calibration} on {string.Join(", ", run.Modules)} by {run.Operator}"
                : $"run {run.Run} {run.State.ToString().ToLowerInvariant()}{(run.Reason is { Length: > 0 } reason ? $": {reason}" : "")}"),
        };
        if (run.ExitCode is { } exit) fields.Add(("exit_code", exit));
        if (run.EndMs is { } end) fields.Add(("duration_s", (end - run.StartMs) / 1000.0));
        return InfluxLineProtocol.Line("runs", [("calibration", run.Calibration), ("event", e.Event), ("stand", stand)], fields, e.TimeMs);
    }
}
