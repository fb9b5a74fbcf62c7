using TrackerDcs.Web.Common;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrackerDcs.Web.Alarms;

/// <summary>
/// The active alarms: raised and cleared from the evaluator's conditions, acknowledged and shelved by
/// operators. Every change is kept in the history (or in memory while the database refuses it) and published: the retained list on alarms/active and
/// each event on alarms/events. A shelved alarm stays in the list, marked, and raises no notification. A latching
/// alarm (the interlocks', and the codes of Alarms:Latching) whose condition ends before it was acknowledged stays
/// in the list, cleared, until someone acknowledges it; if its condition returns first, it is active again.
/// </summary>
public sealed class AlarmManager(AlarmHistory history, IMqttPublisher publisher, TimeProvider time, ILogger<AlarmManager> log, AlarmOptions? options = null)
{
    private readonly HashSet<string> _latching = [.. options?.Latching ?? []];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Alarm> _active = [];

    public event Action? Changed;

    /// <summary>An alarm was raised (not yet acknowledged or shelved): the notifier's cue.</summary>
    public event Action<Alarm>? Raised;

    public IReadOnlyList<Alarm> Active
    {
        get { lock (_gate) return [.. _active.Values.OrderByDescending(a => a.Severity).ThenBy(a => a.Raised)]; }
    }

    /// <summary>Makes the active set match the conditions true now; expired shelves end here too.</summary>
    public async Task ReconcileAsync(IReadOnlyCollection<AlarmCondition> conditions, CancellationToken ct)
    {
        // History rows a failing database did not take: tried again at each evaluation, never in the way of the alarms.
        history.Flush();
        var now = time.GetUtcNow();
        var events = new List<(string Event, Alarm Alarm, string User)>();
        lock (_gate)
        {
            foreach (var condition in conditions)
            {
                if (_active.TryGetValue(condition.Key, out var listed))
                {
                    if (listed.Cleared is null) continue;
                    var back = listed with { Cleared = null, Message = condition.Message };
                    _active[condition.Key] = back;
                    events.Add(("returned", back, "dcs"));
                    continue;
                }
                var definition = condition.Definition;
                var alarm = new Alarm(condition.Key, definition.Code, condition.Subject, definition.Severity,
                    condition.Message, definition.Guidance, now, Latching: definition.Latching || _latching.Contains(definition.Code));
                _active[condition.Key] = alarm;
                events.Add(("raised", alarm, "dcs"));
            }
            var current = conditions.Select(c => c.Key).ToHashSet();
            foreach (var alarm in _active.Values.Where(a => a.Cleared is null && !current.Contains(a.Key)).ToList())
            {
                if (alarm is { Latching: true, Acknowledged: null })
                {
                    var latched = alarm with { Cleared = now };
                    _active[alarm.Key] = latched;
                    events.Add(("cleared", latched, "dcs"));
                    continue;
                }
                _active.Remove(alarm.Key);
                events.Add(("cleared", alarm, "dcs"));
            }
            foreach (var alarm in _active.Values.Where(a => a.ShelvedUntil <= now).ToList())
            {
                var unshelved = alarm with { ShelvedUntil = null, ShelvedBy = null, ShelveReason = null };
                _active[alarm.Key] = unshelved;
                events.Add(("shelve_expired", unshelved, "dcs"));
            }
        }
        await PublishAsync(events, ct);
    }

    /// <summary>Acknowledges one alarm; a latched alarm whose condition has cleared leaves the list with it.</summary>
    public async Task<string?> AcknowledgeAsync(string key, string user, CancellationToken ct)
    {
        Alarm acknowledged;
        lock (_gate)
        {
            if (!_active.TryGetValue(key, out var alarm)) return $"no active alarm '{key}'";
            if (alarm.Acknowledged is not null) return $"alarm '{key}' was already acknowledged by {alarm.AcknowledgedBy}";
            acknowledged = Acknowledge(alarm, user);
        }
        await PublishAsync([("acknowledged", acknowledged, user)], ct);
        return null;
    }

    /// <summary>A shelve is a pause, not a way to switch an alarm off for good.</summary>
    public static readonly TimeSpan MaxShelve = TimeSpan.FromDays(7);
    public const string ShelveBound = "a shelve lasts more than 0 and at most 7 days (10080 minutes)";

    /// <summary>
    /// "Acknowledge all visible": each of <paramref name="keys"/> (the alarms the operator sees) not yet acknowledged,
    /// as one command; keys no longer listed or already acknowledged are passed over. Refused only when none is left.
    /// </summary>
    public async Task<string?> AcknowledgeAllAsync(IReadOnlyCollection<string> keys, string user, CancellationToken ct)
    {
        var events = new List<(string Event, Alarm Alarm, string User)>();
        lock (_gate)
        {
            foreach (var key in keys.Distinct())
                if (_active.TryGetValue(key, out var alarm) && alarm.Acknowledged is null)
                    events.Add(("acknowledged", Acknowledge(alarm, user), user));
        }
        if (events.Count == 0) return $"nothing to acknowledge among: {string.Join(", ", keys)}";
        await PublishAsync(events, ct);
        return null;
    }

    private Alarm Acknowledge(Alarm alarm, string user)
    {
        var acknowledged = alarm with { Acknowledged = time.GetUtcNow(), AcknowledgedBy = user };
        if (acknowledged.Cleared is null) _active[alarm.Key] = acknowledged;
        else _active.Remove(alarm.Key);
        return acknowledged;
    }

    public async Task<string?> ShelveAsync(string key, TimeSpan duration, string reason, string user, CancellationToken ct)
    {
        if (duration <= TimeSpan.Zero || duration > MaxShelve) return ShelveBound;
        if (string.IsNullOrWhiteSpace(reason)) return "shelving needs a reason";
        Alarm shelved;
        lock (_gate)
        {
            if (!_active.TryGetValue(key, out var alarm)) return $"no active alarm '{key}'";
            _active[key] = shelved = alarm with { ShelvedUntil = time.GetUtcNow() + duration, ShelvedBy = user, ShelveReason = reason };
        }
        await PublishAsync([("shelved", shelved, user)], ct);
        return null;
    }

    public async Task<string?> UnshelveAsync(string key, string user, CancellationToken ct)
    {
        Alarm unshelved;
        lock (_gate)
        {
            if (!_active.TryGetValue(key, out var alarm) || alarm.ShelvedUntil is null) return $"no shelved alarm '{key}'";
            _active[key] = unshelved = alarm with { ShelvedUntil = null, ShelvedBy = null, ShelveReason = null };
        }
        await PublishAsync([("unshelved", unshelved, user)], ct);
        return null;
    }

    /// <summary>Publishes the retained list even when nothing changed, so a restarted process replaces a stale one.</summary>
    public Task PublishActiveAsync(CancellationToken ct) =>
        publisher.PublishAsync("alarms/active", JsonSerializer.Serialize(Active.Select(ToJson), Json.Options), retain: true, cancellationToken: ct);

    private async Task PublishAsync(List<(string Event, Alarm Alarm, string User)> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        foreach (var (name, alarm, user) in events)
        {
            history.Record(name, alarm, user);
            // A latched alarm whose condition comes back is as urgent as a new one: the shifter may not have seen it yet.
            var raised = name is "raised" or "returned";
            var level = raised && alarm.Severity == AlarmSeverity.Major ? LogLevel.Warning : LogLevel.Information;
            log.Log(level, "Alarm {Event}: {Key} {Severity} {Message} ({User})", name, alarm.Key, alarm.Severity, alarm.Message, user);
            var payload = ToJson(alarm);
            payload["event"] = name;
            payload["by"] = user;
            // When this event happened: two alike events (a latched alarm returning twice) differ, and a copy of one sent
            // again (the site uplink resends what it could not confirm) does not.
            payload["at"] = time.GetUtcNow().ToString("O");
            await publisher.PublishAsync("alarms/events", payload.ToJsonString(Json.Options), cancellationToken: ct);
            if (raised) Raised?.Invoke(alarm);
        }
        await PublishActiveAsync(ct);
        Changed?.Invoke();
    }

    public static JsonObject ToJson(Alarm alarm) => new()
    {
        ["key"] = alarm.Key,
        ["code"] = alarm.Code,
        ["subject"] = alarm.Subject,
        ["severity"] = alarm.Severity.ToString().ToLowerInvariant(),
        ["message"] = alarm.Message,
        ["guidance"] = alarm.Guidance,
        ["raised"] = alarm.Raised.ToString("O"),
        ["acknowledged"] = alarm.Acknowledged?.ToString("O"),
        ["acknowledged_by"] = alarm.AcknowledgedBy,
        ["shelved_until"] = alarm.ShelvedUntil?.ToString("O"),
        ["shelved_by"] = alarm.ShelvedBy,
        ["shelve_reason"] = alarm.ShelveReason,
        ["latching"] = alarm.Latching,
        ["cleared"] = alarm.Cleared?.ToString("O"),
    };
}
