using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// A procedure run as a download. JSON: <c>{"run": the stored record, "iv_scans": [{"step", "stopped", "points"}]}</c>.
/// CSV (RFC 4180): four tables separated by a blank line, <c>run</c> (key, value), <c>parameter</c> (name, value),
/// <c>step</c> and <c>iv</c>; every row's first cell names its table, so one filter in a spreadsheet picks a table.
/// Times are UTC ISO 8601 with milliseconds, numbers as stored (round-trip precision).
/// </summary>
public static class ProcedureExport
{
    public static string Json(ProcedureRunDocument run) => new JsonObject
    {
        ["run"] = JsonSerializer.SerializeToNode(run, Common.Json.Options),
        ["iv_scans"] = new JsonArray([.. Scans(run).Select(s => new JsonObject
        {
            ["step"] = s.Step.Index,
            ["stopped"] = s.Scan.Stopped,
            ["points"] = JsonSerializer.SerializeToNode(s.Scan.Points, Common.Json.Options),
        })]),
    }.ToJsonString(Common.Json.Options);

    public static string Csv(ProcedureRunDocument run)
    {
        var csv = new StringBuilder();
        Row(csv, "run", "key", "value");
        foreach (var (key, value) in new (string, string?)[]
        {
            ("run", Number(run.Run)), ("procedure", run.Procedure), ("operator", run.Operator), ("modules", string.Join(' ', run.Modules)),
            ("comment", run.Comment), ("state", run.State.ToString().ToLowerInvariant()), ("reason", run.Reason),
            ("start_utc", Time(run.StartMs)), ("end_utc", Time(run.EndMs)), ("step_count", Number(run.StepCount)),
        }) Row(csv, "run", key, value);
        csv.Append("\r\n");
        Row(csv, "parameter", "name", "value");
        foreach (var (name, value) in run.Parameters) Row(csv, "parameter", name, Number(value));
        csv.Append("\r\n");
        Row(csv, "step", "index", "kind", "line", "description", "start_utc", "end_utc", "ok", "result");
        foreach (var (step, onAbort) in run.Steps.Select(s => (s, false)).Concat(run.OnAbort.Select(s => (s, true))))
            Row(csv, onAbort ? "on_abort" : "step", Number(step.Index), step.Kind, Number(step.Line), step.Description, Time(step.StartMs), Time(step.EndMs),
                step.Ok is { } ok ? (ok ? "true" : "false") : null, step.Result);
        csv.Append("\r\n");
        Row(csv, "iv", "step", "channel", "module", "v_set_V", "v_V", "i_uA", "i_std_uA", "time_utc", "bath_C", "external_C", "dewpoint_C", "sensor_C");
        foreach (var (step, scan) in Scans(run))
            foreach (var p in scan.Points)
                Row(csv, "iv", Number(step.Index), p.Channel, p.Module, Number(p.VSet), Number(p.V), Number(p.I), Number(p.IStd), Time(p.TimeMs),
                    Number(p.ChillerBath), Number(p.ChillerExternal), Number(p.Dewpoint), Number(p.SensorTemperature));
        return csv.ToString();
    }

    private static IEnumerable<(StepRecord Step, IvScanResult Scan)> Scans(ProcedureRunDocument run) =>
        run.Steps.Select(s => (s, IvScanResult.Of(s))).Where(x => x.Item2 is not null).Select(x => (x.s, x.Item2!));

    private static void Row(StringBuilder csv, params string?[] cells) => csv.AppendJoin(',', cells.Select(Quote)).Append("\r\n");

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static string Quote(string? cell) => cell is null ? "" : cell.IndexOfAny([',', '"', '\r', '\n']) < 0 ? cell : $"\"{cell.Replace("\"", "\"\"")}\"";

    private static string? Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? Time(long? ms) => ms is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) : null;
}
