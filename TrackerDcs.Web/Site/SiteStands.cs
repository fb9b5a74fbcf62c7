using System.Globalization;
using System.Text.Json;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.Marta;
using TrackerDcs.Web.Devices.Sensors;

using static TrackerDcs.Web.Site.MirroredPayload;

namespace TrackerDcs.Web.Site;

/// <summary>
/// What the site instance knows of every stand: the last payload of each topic it shows, per stand, as the stands'
/// uplinks mirror them (site/&lt;stand&gt;/&lt;topic&gt;). The view is built when read, so a heartbeat's age is now's.
/// Fed by <see cref="SiteSubscriber"/>, which also tells it when the cluster is lost; read by the Site page and /api/site/stands.
/// </summary>
public sealed class SiteStands(SiteOptions options, TimeProvider time) : IDeviceView<SiteView>, IAlarmSource
{
    /// <summary>The "stand" of the site instance's own alarms in the site alarm list: not a stand name, so never one's.</summary>
    public const string SiteItself = "(site)";

    /// <summary>
    /// The topics the site shows, below site/&lt;stand&gt;/, and each channel's own topic (<see cref="ChannelTopic"/>) and
    /// sensor box reading for the stand's page; the rest of what a stand mirrors (dcs/channels, one channel a message;
    /// logs) is not kept.
    /// </summary>
    private static readonly IReadOnlySet<string> Kept = new HashSet<string>
    {
        "dcs/status", "julabo/status", "MARTA/status", "MARTA/alarms", "SB/status", "dcs/heartbeat", "alarms/active", "ph2acf/status", "procedures/status",
        "alarms/events", SiteTopics.Environment,
    };

    /// <summary>dcs/channels/&lt;id&gt;: the last payload of each channel (retained on the stand, a latest value to the site).</summary>
    private const string ChannelTopic = "dcs/channels/";

    private static bool Keeps(string topic) =>
        Kept.Contains(topic) || topic.StartsWith(ChannelTopic, StringComparison.Ordinal) && topic.Length > ChannelTopic.Length && topic.IndexOf('/', ChannelTopic.Length) < 0
        || SensorReading(topic) is not null;

    /// <summary>The box and field (BME_temp) of a sensor box's reading, ESPnn/sensors/&lt;sensor&gt;/&lt;quantity&gt;; null for any other topic.</summary>
    private static (string Box, string Field)? SensorReading(string topic) =>
        topic.Split('/') is [var box, SensorsTopics.Level, var sensor, var quantity] ? (box, $"{sensor}_{quantity}") : null;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, JsonElement>> _stands = [];
    private readonly Dictionary<string, DateTimeOffset> _lastHeard = [];
    /// <summary>When the site last heard each sensor box of each stand: a box that stopped shows its age.</summary>
    private readonly Dictionary<(string Stand, string Box), DateTimeOffset> _boxesHeard = [];
    private readonly StandHistory _history = new();
    /// <summary>The last fsm_state per stand and topic: MARTA/status carries it only when it changed (MartaPublishFilter).</summary>
    private readonly Dictionary<(string Stand, string Topic), string> _states = [];
    /// <summary>Since when no node of the cluster is reachable (from the start until the first connection), and why; null while connected.</summary>
    private DateTimeOffset? _clusterLostSince;
    private string _clusterState = "";
    /// <summary>Since when the site has been connected without a break; null while away.</summary>
    private DateTimeOffset? _connectedSince;

    public event Action? Changed;

    /// <summary>Takes one mirrored message; false when it is not a topic the site keeps (or not JSON, logged by the caller).</summary>
    public bool Apply(string topic, string payload)
    {
        var levels = topic.Split('/', 3);
        if (levels.Length < 3 || levels[0] != "site" || !SiteOptions.IsStandName(levels[1]) || !Keeps(levels[2])) return false;
        lock (_gate)
        {
            if (!_stands.TryGetValue(levels[1], out var known)) known = null;
            JsonElement value;
            if (levels[2].StartsWith(MartaTopics.Root + "/", StringComparison.Ordinal))
            {
                if (StandDevices.Keep(levels[2], payload, known?.TryGetValue(levels[2], out var last) == true ? last : null) is not { } kept) return false;
                value = kept;
            }
            else
            {
                try
                {
                    using var document = JsonDocument.Parse(payload);
                    value = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    return false;
                }
            }
            var topics = known ?? (_stands[levels[1]] = []);
            var now = time.GetUtcNow();
            topics[levels[2]] = value;
            _history.Record(levels[1], levels[2], value, now);
            if (Text(value, "fsm_state") is { } state) _states[(levels[1], levels[2])] = state;
            _lastHeard[levels[1]] = now;
            if (SensorReading(levels[2]) is { } reading) _boxesHeard[(levels[1], reading.Box)] = now;
        }
        Changed?.Invoke();
        return true;
    }

    /// <summary>Once a second from the subscriber: a heartbeat's age grows, and a stand may become lost, without any message.</summary>
    public void Tick() => Changed?.Invoke();

    /// <summary>From the subscriber: connected (<paramref name="lostSince"/> null), or no node reachable since then, and why.</summary>
    public void SetCluster(DateTimeOffset? lostSince, string state)
    {
        lock (_gate)
        {
            // A failed round while already away keeps the first moment of the loss.
            _clusterLostSince = lostSince is null ? null : _clusterLostSince ?? lostSince;
            _connectedSince = lostSince is null ? _connectedSince ?? time.GetUtcNow() : null;
            _clusterState = state;
        }
        Changed?.Invoke();
    }

    /// <summary>The site instance's own alarm: no node of the cluster reachable for Site:AlarmAfter (a failover takes less).</summary>
    private SiteAlarm? ClusterAlarm(DateTimeOffset now)
    {
        if (_clusterLostSince is not { } since || now - since < options.AlarmAfter) return null;
        return new SiteAlarm(SiteItself, AlarmCatalog.SiteClusterLost.Code, "major",
            $"no node of the site's cluster reachable since {since:HH:mm:ss} UTC ({_clusterState}): every stand is shown as it was then, and no command can be sent", since, false);
    }

    /// <summary>
    /// For the site instance's alarm manager (the annunciator of every page, the alarm history): the cluster lost, or each
    /// stand lost. A stand is lost to the site when its heartbeat stops; that is the site's own alarm too, once the site has been
    /// connected for Site:LostAfter (just after a connection every stand's last beat is old until its next one), and not
    /// while the cluster itself is lost, which says it for every stand at once.
    /// </summary>
    public IEnumerable<AlarmCondition> AlarmConditions()
    {
        var now = time.GetUtcNow();
        List<AlarmCondition> conditions = [];
        lock (_gate)
        {
            if (ClusterAlarm(now) is { } lost) conditions.Add(new AlarmCondition(AlarmCatalog.SiteClusterLost, "site", lost.Message));
            else if (_connectedSince is { } connected && now - connected >= options.LostAfter)
                foreach (var (name, topics) in _stands)
                    if (Stand(name, topics, _lastHeard[name], now) is { Lost: true } stand)
                        conditions.Add(new AlarmCondition(AlarmCatalog.SiteStandLost, name,
                            $"stand {name} not heard since {stand.HeartbeatAt ?? stand.LastHeard:HH:mm:ss} UTC{(stand.HeartbeatAt is null ? " (no heartbeat yet)" : "")}"));
        }
        return conditions;
    }

    public SiteView View
    {
        get
        {
            var now = time.GetUtcNow();
            lock (_gate)
            {
                var stands = _stands.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => Stand(s.Key, s.Value, _lastHeard[s.Key], now)).ToList();
                var lost = ClusterAlarm(now);
                // The site's own alarm first: while it is up, nothing below is news.
                IEnumerable<SiteAlarm> own = lost is null ? [] : [lost];
                var alarms = own.Concat(stands.SelectMany(s => Alarms(s.Name, _stands[s.Name])).OrderByDescending(a => a.Raised)).ToList();
                return new SiteView(stands, alarms, lost);
            }
        }
    }

    /// <summary>One stand in detail (its page at the site), or null when the site has never heard of it.</summary>
    public StandDetail? Detail(string name)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_stands.TryGetValue(name, out var topics)) return null;
            var stand = Stand(name, topics, _lastHeard[name], now);
            return new StandDetail(stand, Channels(topics), Chiller(stand.Chiller, topics),
                Activity(topics, "procedures/status", "procedure"), Activity(topics, "ph2acf/status", "calibration"),
                [.. Alarms(name, topics).OrderByDescending(a => a.Raised)], _history.Of(name), Sensors(name, topics),
                StandDevices.Marta(stand.Marta, topics), StandDevices.SwitchBox(stand.SwitchBox, topics));
        }
    }

    /// <summary>In the order of their ids, numerically when they are numbers (channels.yml's "0", "1", … "10").</summary>
    private static List<StandChannel> Channels(Dictionary<string, JsonElement> topics) =>
    [
        .. topics.Where(t => t.Key.StartsWith(ChannelTopic, StringComparison.Ordinal) && t.Value.ValueKind == JsonValueKind.Object)
            .Select(t => (Id: t.Key[ChannelTopic.Length..], Payload: t.Value))
            .OrderBy(c => int.TryParse(c.Id, out var n) ? n : int.MaxValue).ThenBy(c => c.Id, StringComparer.Ordinal)
            .Select(c => new StandChannel(c.Id, Text(c.Payload, "module"), Text(c.Payload, "fsm_state"),
                Number(c.Payload, "lv_setV"), Number(c.Payload, "lv_vMon"), Number(c.Payload, "lv_iMon"),
                Number(c.Payload, "hv_setV"), Number(c.Payload, "hv_vMon"), Number(c.Payload, "hv_iMon"))),
    ];

    /// <summary>Each box with its readings, in the order of their names (ESP01, ESP02, …).</summary>
    private List<StandSensorBox> Sensors(string stand, Dictionary<string, JsonElement> topics) =>
    [
        .. topics.Where(t => t.Value.ValueKind == JsonValueKind.Number)
            .Select(t => (Reading: SensorReading(t.Key), Value: t.Value.GetDouble()))
            .Where(r => r.Reading is not null)
            .GroupBy(r => r.Reading!.Value.Box, StringComparer.Ordinal)
            .OrderBy(box => box.Key, StringComparer.Ordinal)
            .Select(box => new StandSensorBox(box.Key, box.ToDictionary(r => r.Reading!.Value.Field, r => r.Value), _boxesHeard[(stand, box.Key)])),
    ];

    private static StandChiller? Chiller(string? state, Dictionary<string, JsonElement> topics)
    {
        if (!topics.TryGetValue("julabo/status", out var status)) return null;
        var used = Number(status, "used_setpoint") is { } u ? (int)u : (int?)null;
        return new StandChiller(state, used, used is { } n ? Number(status, $"setpoint_{n}") : null,
            Number(status, "internal_temp"), Number(status, "external_temp"), Number(status, "power"));
    }

    /// <param name="name">The status's key for what runs: "procedure" (procedures/status) or "calibration" (ph2acf/status).</param>
    private static StandActivity? Activity(Dictionary<string, JsonElement> topics, string topic, string name)
    {
        if (!topics.TryGetValue(topic, out var status) || Text(status, "state") is not { } state) return null;
        var step = Number(status, "step");
        var steps = Number(status, "steps");
        return new StandActivity(state, Number(status, "run") is { } run ? (long)run : null, Text(status, name), Text(status, "operator"),
            step is { } s ? (int)s : null, steps is { } n ? (int)n : null, Text(status, "step_description"),
            Number(status, "progress"), Number(status, "elapsed_s"), Number(status, "estimate_left_s"), Text(status, "reason"));
    }

    private StandView Stand(string name, Dictionary<string, JsonElement> topics, DateTimeOffset lastHeard, DateTimeOffset now)
    {
        var alarms = Alarms(name, topics).OrderByDescending(a => a.Raised).ToList();
        DateTimeOffset? beatAt = null;
        var online = false;
        if (topics.TryGetValue("dcs/heartbeat", out var beat))
        {
            online = Text(beat, "state") == "online";
            // The stand's own clock: the time it sent its last beat. A last will (offline) has none: then the site's receipt.
            beatAt = Text(beat, "time") is { } sent && DateTimeOffset.TryParse(sent, out var at) ? at : lastHeard;
        }
        var age = beatAt is { } t ? now - t : (TimeSpan?)null;
        var lost = !online || age > options.LostAfter;
        topics.TryGetValue(SiteTopics.Environment, out var environment);
        return new StandView(name,
            State(name, "dcs/status"),
            State(name, "julabo/status"),
            topics.TryGetValue("julabo/status", out var chiller) ? Number(chiller, "internal_temp") : null,
            State(name, "MARTA/status"),
            State(name, "SB/status"),
            alarms.Count, alarms.FirstOrDefault(),
            Running(topics, "ph2acf/status", "calibration"),
            Running(topics, "procedures/status", "procedure"),
            Number(environment, "dewpoint_margin"), Number(environment, "dewpoint"), Number(environment, "coldest"), Number(environment, "dewpoint_margin_min"),
            beatAt, age, lost, lastHeard);
    }

    private string? State(string stand, string topic) => _states.GetValueOrDefault((stand, topic));

    /// <summary>"calibration (run 12, running)" while a run or procedure goes or is paused; null when idle or ended.</summary>
    private static string? Running(Dictionary<string, JsonElement> topics, string topic, string what) =>
        Activity(topics, topic, what) is { State: "running" or "paused" } activity
            ? $"{activity.Name ?? what} (run {activity.Run?.ToString(CultureInfo.InvariantCulture) ?? "?"}, {activity.State})"
            : null;

    private static IEnumerable<SiteAlarm> Alarms(string stand, Dictionary<string, JsonElement> topics)
    {
        if (!topics.TryGetValue("alarms/active", out var active) || active.ValueKind != JsonValueKind.Array) yield break;
        foreach (var alarm in active.EnumerateArray())
        {
            if (alarm.ValueKind != JsonValueKind.Object) continue;
            var raised = Text(alarm, "raised") is { } r && DateTimeOffset.TryParse(r, out var at) ? at : DateTimeOffset.MinValue;
            yield return new SiteAlarm(stand, Text(alarm, "key") ?? "?", Text(alarm, "severity") ?? "?", Text(alarm, "message") ?? "",
                raised, Text(alarm, "acknowledged") is not null);
        }
    }
}
