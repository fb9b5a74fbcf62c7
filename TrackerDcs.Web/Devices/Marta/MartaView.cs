using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Marta;

namespace TrackerDcs.Web.Devices.Marta;

/// <summary>An alarm bit of the map's alarm_codes that is set: the seed's message; fail-safe (_FS, _TS) bits are major.</summary>
public sealed record MartaViewAlarm(string Register, string Message, bool Major)
{
    /// <summary>The seed's MARTA/alarms line: "&lt;message&gt; (&lt;register&gt;)".</summary>
    public string Line => $"{Message} ({Register})";

    /// <summary>By the plant's naming: _W only warns; _FS, _TS and any other alarm code are treated as major (safety first).</summary>
    public static bool IsMajor(string register) => !register.EndsWith("_W", StringComparison.Ordinal);
}

/// <summary>
/// MARTA as the rest of the process reads it: the panel, the alarms, the interlocks. Immutable, built from one
/// <see cref="MartaSnapshot"/>; the state is its wire name, and the command table's refusals for that state are
/// evaluated here. Values are those of the last read; while not <see cref="Live"/> they are not current, and
/// <see cref="Value"/> gives null.
/// </summary>
public sealed record MartaView(
    string State,
    bool Live,
    DateTimeOffset? ReadAt,
    IReadOnlyDictionary<string, double> Values,
    IReadOnlyList<MartaViewAlarm> Alarms,
    string? Problem,
    string Link)
{
    public static readonly string Init = MartaState.Init.Wire();
    public static readonly string Disconnected = MartaState.Disconnected.Wire();
    public static readonly string Connected = MartaState.Connected.Wire();
    public static readonly string ChillerRunning = MartaState.ChillerRunning.Wire();
    public static readonly string Co2Running = MartaState.Co2Running.Wire();
    public static readonly string Alarm = MartaState.Alarm.Wire();

    /// <summary>Command name (the seed's MARTA/cmd/&lt;name&gt;) → null when the state machine allows it now, else why not.</summary>
    public IReadOnlyDictionary<string, string?> Refusals { get; init; } = new Dictionary<string, string?>();

    /// <summary>Not yet connected, or the link is lost.</summary>
    public bool IsDisconnected => State == Disconnected || State == Init;

    /// <summary>A register's value now; null while the link is down or when the map has no such register.</summary>
    public double? Value(string register) => Live && Values.TryGetValue(register, out var v) ? v : null;

    public string? Refusal(string command) => Refusals.TryGetValue(command, out var why)
        ? why
        : $"MARTA has no command '{command}'";

    public static MartaView From(MartaSnapshot snapshot, string link) => new(
        snapshot.State.Wire(),
        snapshot.Live,
        snapshot.ReadAt,
        snapshot.Values.ToDictionary(v => v.Key, v => v.Value.Number, StringComparer.Ordinal),
        [.. snapshot.ActiveAlarms.Select(a => new MartaViewAlarm(a.Register.Name, a.Message, MartaViewAlarm.IsMajor(a.Register.Name)))],
        snapshot.Problem,
        link)
    {
        Refusals = Hardware.Marta.MartaCommands.All.ToDictionary(c => c.Name, c => c.Refusal(snapshot.State), StringComparer.Ordinal),
    };
}
