using TrackerDcs.Web.Alarms;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>
/// What the annunciator shows of the active alarms: how many of each severity are listed (latched ones that cleared
/// included: they are listed until acknowledged), how many wait for someone, how many are shelved, and the newest major
/// alarm that waits. A shelved alarm was seen and set aside on purpose with a reason (ISA-18.2's shelving), so it is
/// counted apart, not as waiting, even if it was shelved before being acknowledged.
/// </summary>
public sealed record AlarmSummary(int Major, int Warning, int Unacknowledged, int Shelved, Alarm? NewestMajor, IReadOnlySet<string> WaitingMajorKeys)
{
    public static readonly AlarmSummary None = Of([]);

    public static AlarmSummary Of(IReadOnlyList<Alarm> active)
    {
        var waiting = active.Where(Waits).ToList();
        var waitingMajor = waiting.Where(a => a.Severity == AlarmSeverity.Major).ToList();
        return new AlarmSummary(
            Major: active.Count(a => a.Severity == AlarmSeverity.Major),
            Warning: active.Count(a => a.Severity == AlarmSeverity.Warning),
            Unacknowledged: waiting.Count,
            Shelved: active.Count(a => a.ShelvedUntil is not null),
            NewestMajor: waitingMajor.MaxBy(a => a.Raised),
            WaitingMajorKeys: waitingMajor.Select(a => a.Key).ToHashSet());
    }

    /// <summary>Neither acknowledged nor shelved: nobody has answered it yet.</summary>
    public static bool Waits(Alarm alarm) => alarm.Acknowledged is null && alarm.ShelvedUntil is null;

    /// <summary>A major alarm waits that was not waiting in <paramref name="before"/>: the cue for the alarm tone.</summary>
    public bool HasNewMajorSince(AlarmSummary before) => WaitingMajorKeys.Any(k => !before.WaitingMajorKeys.Contains(k));
}
