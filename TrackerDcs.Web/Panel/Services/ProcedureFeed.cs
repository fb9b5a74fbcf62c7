using System.Text;
using System.Text.Json.Nodes;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>
/// What the Procedures page shows live: the last procedures/status and the latest procedures/log lines, read from
/// the broker's tap like any MQTT client reads them, so the panel and the scripts follow the same run.
/// </summary>
public sealed class ProcedureFeed
{
    public const int LogLines = 200;
    private readonly Lock _gate = new();
    private readonly LinkedList<(long TimeMs, string Line)> _log = new();
    private JsonObject _status = new() { ["state"] = "idle" };
    private string? _lastRun;

    public ProcedureFeed(BrokerTap tap, PanelFeed feed)
    {
        tap.Subscribe((topic, payload) =>
        {
            if (topic == $"{ProcedureRunner.Root}/status") OnStatus(Encoding.UTF8.GetString(payload));
            else if (topic == $"{ProcedureRunner.Root}/log") OnLog(Encoding.UTF8.GetString(payload));
            else return;
            feed.Raise(PanelTopic.Procedures);
        });
    }

    public JsonObject Status { get { lock (_gate) return (JsonObject)_status.DeepClone(); } }

    /// <summary>The current (or last) run's lines, oldest first, with their time (UTC ms).</summary>
    public IReadOnlyList<(long TimeMs, string Line)> Log { get { lock (_gate) return [.. _log]; } }

    private void OnStatus(string payload)
    {
        if (JsonNode.Parse(payload) is not JsonObject status) return;
        lock (_gate) _status = status;
    }

    private void OnLog(string payload)
    {
        if (JsonNode.Parse(payload) is not JsonObject line) return;
        var run = line["run"]?.ToString();
        lock (_gate)
        {
            // A new run starts a new log (its first line comes before its first status).
            if (_log.Count > 0 && _lastRun != run) _log.Clear();
            _lastRun = run;
            _log.AddLast((line["time_ms"]?.GetValue<long>() ?? 0, line["line"]?.ToString() ?? ""));
            while (_log.Count > LogLines) _log.RemoveFirst();
        }
    }
}
