namespace TrackerDcs.Web.Interlocks;

/// <summary>What an interlock does when its condition has held for its duration.</summary>
public enum InterlockAction { HvOff, LvOff, ChillerStop, Alarm }

/// <summary>A command refused while the interlock is active: a topic, and optionally only with this payload.</summary>
public sealed record RefusedCommand(string Topic, string? Payload)
{
    public bool Matches(string topic, string payload) =>
        topic == Topic && (Payload is null || string.Equals(payload.Trim(), Payload, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Payload is null ? Topic : $"{Topic} {Payload}";
}

/// <summary>One rule of interlocks.yml, with the line it starts on for messages.</summary>
public sealed record InterlockRule(
    string Name,
    string When,
    InterlockCondition Condition,
    TimeSpan For,
    IReadOnlyList<InterlockAction> Actions,
    IReadOnlyList<RefusedCommand> Refuse,
    Alarms.AlarmSeverity Severity,
    int Line);
