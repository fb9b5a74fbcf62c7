using System.Text;
using System.Text.Json.Nodes;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Runs;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>
/// What the Runs page shows live: the last ph2acf/status and the latest ph2acf/log lines, read from the broker's
/// tap like any MQTT client reads them, so the panel and the scripts see the same run.
/// </summary>
public sealed class RunFeed
{
    public const int LogLines = 200;
    private readonly Lock _gate = new();
    private readonly LinkedList<string> _log = new();
    private JsonObject _status = new() { ["state"] = "idle" };

    public RunFeed(BrokerTap tap, PanelFeed feed)
    {
        tap.Subscribe((topic, payload) =>
        {
            if (!topic.StartsWith(RunController.Root + "/", StringComparison.Ordinal)) return;
            if (topic == $"{RunController.Root}/status") OnStatus(Encoding.UTF8.GetString(payload));
            else if (topic == $"{RunController.Root}/log") OnLog(Encoding.UTF8.GetString(payload));
            else return;
            feed.Raise(PanelTopic.Runs);
        });
    }

    public JsonObject Status { get { lock (_gate) return (JsonObject)_status.DeepClone(); } }

    public IReadOnlyList<string> Log { get { lock (_gate) return [.. _log]; } }

    private void OnStatus(string payload)
    {
        if (JsonNode.Parse(payload) is not JsonObject status) return;
        lock (_gate)
        {
            // A new run starts a new log.
            if (status["run"]?.ToString() != _status["run"]?.ToString()) _log.Clear();
            _status = status;
        }
    }

    private void OnLog(string payload)
    {
        if (JsonNode.Parse(payload) is not JsonObject line) return;
        var text = $"[{line["stream"]}] {line["line"]}";
        if (line["dropped_before"] is { } dropped) text = $"… {dropped} lines not shown (all are in the run's log file)\n{text}";
        lock (_gate)
        {
            _log.AddLast(text);
            while (_log.Count > LogLines) _log.RemoveFirst();
        }
    }
}
