namespace TrackerDcs.Hardware.Marta;

/// <summary>
/// What MARTA looks like after a read (or a lost link): the state, every register's value by name, and the alarm
/// bits set. Values and alarms are those of the last successful read; while <see cref="Live"/> is false (not
/// connected) they are kept for reference only and must not be reported as current.
/// </summary>
/// <param name="Generation">
/// Counts connections and refresh commands: when it changes, everything should be published again (the seed's
/// forced publish on start and on refresh; after a reconnection too, since anything may have changed meanwhile).
/// </param>
/// <param name="Problem">Why MARTA is DISCONNECTED (the link error), or why it is in ALARM without status 3; else null.</param>
public sealed record MartaSnapshot(
    MartaState State,
    bool Live,
    DateTimeOffset? ReadAt,
    IReadOnlyDictionary<string, MartaValue> Values,
    IReadOnlyList<MartaAlarmCode> ActiveAlarms,
    long Generation,
    string? Problem)
{
    public static readonly MartaSnapshot Initial = new(MartaState.Init, false, null, new Dictionary<string, MartaValue>(), [], 0, null);
}
