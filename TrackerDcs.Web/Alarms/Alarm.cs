namespace TrackerDcs.Web.Alarms;

/// <summary>
/// One alarm as the operator sees it. The key is the code and its subject (<c>caen.trip:0</c>, channel 0),
/// so the same fault on two channels is two alarms. <see cref="Cleared"/> is set on a latching alarm whose condition
/// ended before anyone acknowledged it: it stays listed, "cleared, unacknowledged", until acknowledged.
/// </summary>
public sealed record Alarm(
    string Key,
    string Code,
    string Subject,
    AlarmSeverity Severity,
    string Message,
    string Guidance,
    DateTimeOffset Raised,
    DateTimeOffset? Acknowledged = null,
    string? AcknowledgedBy = null,
    DateTimeOffset? ShelvedUntil = null,
    string? ShelvedBy = null,
    string? ShelveReason = null,
    bool Latching = false,
    DateTimeOffset? Cleared = null)
{
    public static string KeyOf(AlarmDefinition definition, string subject) => $"{definition.Code}:{subject}";
}

/// <summary>A condition the evaluator found true now.</summary>
public sealed record AlarmCondition(AlarmDefinition Definition, string Subject, string Message)
{
    public string Key => Alarm.KeyOf(Definition, Subject);
}
