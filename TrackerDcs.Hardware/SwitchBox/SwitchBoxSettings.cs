using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>
/// What the driver needs to know, as plain values (the configuration keys and their binding are the host's).
/// <see cref="Validate"/> names each problem by its property, so the host can prefix its section.
/// </summary>
/// <param name="Port">A serial device ("/dev/ttyUSB0", a socat link) or a TCP serial bridge / simulator ("host:port").</param>
public sealed record SwitchBoxSettings(string Port)
{
    /// <summary>The serial line, when <see cref="Port"/> is a serial device: the box's 115200 8N1.</summary>
    public SerialSettings Serial { get; init; } = SwitchBoxProtocol.Serial;

    public int MaxEnabledChannels { get; init; } = SwitchBoxRules.DefaultMaxEnabledChannels;

    /// <summary>How often STATUS? is sent while nothing else happens.</summary>
    public TimeSpan PollPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an answer may take. The box answers within milliseconds; a USB adapter adds a few.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Reconnect attempts start at the minimum delay and double up to the maximum.</summary>
    public TimeSpan ReconnectDelayMin { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Every problem with these settings, one per line, each starting with the property it is about; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Port)) problems.Add("Port is empty (a serial device or host:port)");
        else if (!Transports.IsValidPort(Port)) problems.Add($"Port \"{Port}\" is neither a serial device path nor host:port");
        problems.AddRange(Serial.Validate().Select(p => $"Serial:{p}"));
        if (MaxEnabledChannels is < 1 or > SwitchBoxProtocol.ChannelCount)
            problems.Add($"MaxEnabledChannels {MaxEnabledChannels} must be 1..{SwitchBoxProtocol.ChannelCount}");
        if (PollPeriod <= TimeSpan.Zero) problems.Add("PollPeriod must be positive");
        if (ReplyTimeout <= TimeSpan.Zero) problems.Add("ReplyTimeout must be positive");
        if (ReconnectDelayMin <= TimeSpan.Zero || ReconnectDelayMax < ReconnectDelayMin)
            problems.Add("ReconnectDelayMin must be positive and not above ReconnectDelayMax");
        return problems;
    }
}
