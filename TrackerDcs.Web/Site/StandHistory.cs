using System.Globalization;
using System.Text.Json;
using static TrackerDcs.Web.Site.MirroredPayload;

namespace TrackerDcs.Web.Site;

/// <summary>
/// Something that happened at a stand, as the site heard it: an alarm event (raised, cleared, acknowledged, …) or a
/// calibration run or procedure that ended (finished, failed, stopped). <see cref="What"/> is the event or the end state;
/// <see cref="By"/> who acted (the alarm event's user, the procedure's operator), when the stand said.
/// </summary>
public sealed record StandEvent(DateTimeOffset At, string Kind, string What, string? Severity, string Text, string? By);

/// <summary>
/// Each stand's recent history at the site: its alarm events (alarms/events) and its calibration runs and procedures as
/// they end (ph2acf/status, procedures/status), newest first, the last <see cref="Limit"/> of a stand. A copy sent again
/// (the uplink delivers at least once) is kept once. In memory: a restarted site instance starts with none, and the
/// stand keeps its own full history (its alarm history, its run records). Not thread-safe: <see cref="SiteStands"/>
/// uses it under its lock.
/// </summary>
public sealed class StandHistory
{
    public const int Limit = 100;

    private readonly Dictionary<string, List<StandEvent>> _stands = [];

    /// <summary>Takes one mirrored message of <paramref name="stand"/>; topics that tell no history are ignored.</summary>
    public void Record(string stand, string topic, JsonElement value, DateTimeOffset received)
    {
        var happened = topic switch
        {
            "alarms/events" => AlarmEvent(value, received),
            "ph2acf/status" => Ended(value, "calibration", "calibration", received),
            "procedures/status" => Ended(value, "procedure", "procedure", received),
            _ => null,
        };
        if (happened is null) return;
        if (!_stands.TryGetValue(stand, out var events)) _stands[stand] = events = [];
        if (events.Any(e => Same(e, happened))) return;
        events.Insert(0, happened);
        if (events.Count > Limit) events.RemoveAt(Limit);
    }

    /// <summary>
    /// The same event: an alarm event is its payload (its "at" makes two alike events differ); a run's end is its run and
    /// state, whose time may be the receipt's when the status has no end time.
    /// </summary>
    private static bool Same(StandEvent a, StandEvent b) =>
        a == b || a.Kind != "alarm" && a.Kind == b.Kind && a.What == b.What && a.Text == b.Text;

    /// <summary>Newest first.</summary>
    public IReadOnlyList<StandEvent> Of(string stand) => _stands.TryGetValue(stand, out var events) ? [.. events] : [];

    private static StandEvent? AlarmEvent(JsonElement alarm, DateTimeOffset received)
    {
        if (Text(alarm, "event") is not { } name) return null;
        var at = Text(alarm, "at") is { } sent && DateTimeOffset.TryParse(sent, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : received;
        return new StandEvent(at, "alarm", name, Text(alarm, "severity"), $"{Text(alarm, "key") ?? "?"}: {Text(alarm, "message") ?? ""}", Text(alarm, "by"));
    }

    /// <summary>A run's or procedure's end; null while it runs, and for "idle" (a restarted stand naming its last run again).</summary>
    private static StandEvent? Ended(JsonElement status, string kind, string nameKey, DateTimeOffset received)
    {
        if (Text(status, "state") is not ("finished" or "failed" or "stopped") || !status.TryGetProperty("run", out var run)) return null;
        var at = status.TryGetProperty("end_ms", out var end) && end.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds(end.GetInt64()) : received;
        var text = $"run {run}: {Text(status, nameKey) ?? kind}" + (Text(status, "reason") is { } reason ? $": {reason}" : "");
        return new StandEvent(at, kind, Text(status, "state")!, null, text, Text(status, "operator"));
    }
}
