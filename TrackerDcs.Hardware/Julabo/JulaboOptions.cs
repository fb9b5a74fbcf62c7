using System.IO.Ports;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// Settings of the chiller link and device, bound from the configuration section "Julabo".
/// Serial defaults are the seed's (4800 baud 7E1, RTS/CTS); some units run 9600 8N1.
/// Time spans bind from strings such as "00:00:00.250".
/// </summary>
public sealed class JulaboOptions
{
    public const string SectionName = "Julabo";
    public const string SimulatedPort = "simulated";

    /// <summary>A serial device ("/dev/ttyUSB0"), a serial bridge ("host:port"), or "simulated".</summary>
    public string Port { get; set; } = SimulatedPort;

    public int BaudRate { get; set; } = 4800;
    public int DataBits { get; set; } = 7;
    public Parity Parity { get; set; } = Parity.Even;
    public StopBits StopBits { get; set; } = StopBits.One;
    public Handshake Handshake { get; set; } = Handshake.RequestToSend;

    /// <summary>The unit needs at least 250 ms between two commands.</summary>
    public TimeSpan CommandInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Reconnect attempts start at the minimum delay and double up to the maximum.</summary>
    public TimeSpan ReconnectDelayMin { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectDelayMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The unit's set point limits; a set point outside them is refused before anything is sent.</summary>
    public double TempMin { get; set; } = -50;
    public double TempMax { get; set; } = 50;

    /// <summary>With Port "simulated": how fast the simulated bath follows its set point.</summary>
    public TimeSpan SimulatedTimeConstant { get; set; } = TimeSpan.FromMinutes(3);

    public bool IsSimulated => string.Equals(Port, SimulatedPort, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every problem with these settings, one per line; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Port)) problems.Add("Julabo:Port is empty (a serial device, host:port, or \"simulated\")");
        else if (!IsSimulated && !JulaboTransports.LooksLikeSerialDevice(Port) && !JulaboTransports.TryParseHostPort(Port, out _, out _))
            problems.Add($"Julabo:Port \"{Port}\" is neither a serial device path, host:port, nor \"simulated\"");
        if (BaudRate <= 0) problems.Add($"Julabo:BaudRate {BaudRate} must be positive");
        if (DataBits is < 5 or > 8) problems.Add($"Julabo:DataBits {DataBits} must be 5..8");
        if (StopBits == StopBits.None) problems.Add("Julabo:StopBits None is not a serial setting (One, OnePointFive, Two)");
        if (CommandInterval < TimeSpan.Zero) problems.Add("Julabo:CommandInterval must not be negative");
        if (ReplyTimeout <= TimeSpan.Zero) problems.Add("Julabo:ReplyTimeout must be positive");
        if (PollPeriod <= TimeSpan.Zero) problems.Add("Julabo:PollPeriod must be positive");
        if (ReconnectDelayMin <= TimeSpan.Zero || ReconnectDelayMax < ReconnectDelayMin)
            problems.Add("Julabo:ReconnectDelayMin must be positive and not above ReconnectDelayMax");
        if (!(TempMin < TempMax)) problems.Add($"Julabo:TempMin {TempMin} must be below TempMax {TempMax}");
        if (SimulatedTimeConstant <= TimeSpan.Zero) problems.Add("Julabo:SimulatedTimeConstant must be positive");
        return problems;
    }
}
