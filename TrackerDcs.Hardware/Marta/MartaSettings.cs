namespace TrackerDcs.Hardware.Marta;

/// <summary>How to reach MARTA's PLC and how often to read it; the configuration binds onto these.</summary>
public sealed record MartaSettings
{
    /// <summary>The PLC's address.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Modbus TCP's registered port, 502 (the seed's).</summary>
    public int Port { get; init; } = 502;

    /// <summary>The seed's unit (slave) id.</summary>
    public byte UnitId { get; init; } = 1;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long one answer may take; past it the link is lost (and reopened).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The whole map is read this often (the seed: once a second).</summary>
    public TimeSpan PollPeriod { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectDelayMin { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Every value is published again this often (the seed: 10 minutes); used by <see cref="MartaPublishFilter"/>.</summary>
    public TimeSpan ForcedPublishPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long clear_alarms holds set_alarm_reset at 1 before writing 0: a PLC sees a bit only at its scan, so a
    /// pulse of two back-to-back writes could fall between two scans and be missed.
    /// </summary>
    public TimeSpan AlarmResetPulse { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>What is wrong with these settings, one line each, naming the setting; empty when they can be used.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Host)) problems.Add("Host: the PLC's address is empty");
        if (Port is < 1 or > 65535) problems.Add($"Port: {Port} is not a TCP port (1–65535)");
        foreach (var (name, value) in new[]
                 {
                     (nameof(ConnectTimeout), ConnectTimeout), (nameof(ResponseTimeout), ResponseTimeout), (nameof(PollPeriod), PollPeriod),
                     (nameof(ReconnectDelayMin), ReconnectDelayMin), (nameof(ForcedPublishPeriod), ForcedPublishPeriod), (nameof(AlarmResetPulse), AlarmResetPulse),
                 })
            if (value <= TimeSpan.Zero) problems.Add($"{name}: {value} must be positive");
        if (ReconnectDelayMax < ReconnectDelayMin) problems.Add($"ReconnectDelayMax: {ReconnectDelayMax} is below ReconnectDelayMin {ReconnectDelayMin}");
        return problems;
    }
}
