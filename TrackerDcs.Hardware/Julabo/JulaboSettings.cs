using System.IO.Ports;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// Settings of the chiller link and device (the host binds them from its "Julabo" section, whose keys the
/// messages name). Serial defaults are those of the seed's latest driver: 9600 baud 8N1 with RTS/CTS, as the
/// burn-in box controller uses. Older units (and the seed's first driver) run 4800 baud 7E1 with RTS/CTS: set
/// BaudRate 4800, DataBits 7, Parity Even for them.
/// </summary>
public class JulaboSettings
{
    public const string SimulatedPort = "simulated";

    /// <summary>
    /// A serial device ("/dev/ttyUSB0"), a serial bridge ("host:port"), or "simulated": no unit, the host (or the
    /// bench tool) serves a <see cref="JulaboSimulator"/> and reaches it over TCP; the device itself never decides that.
    /// </summary>
    public string Port { get; set; } = SimulatedPort;

    public int BaudRate { get; set; } = 9600;
    public int DataBits { get; set; } = 8;
    public Parity Parity { get; set; } = Parity.None;
    public StopBits StopBits { get; set; } = StopBits.One;
    public Handshake Handshake { get; set; } = Handshake.RequestToSend;

    /// <summary>The line settings above, as the serial transport takes them.</summary>
    public SerialSettings Serial => new(BaudRate, DataBits, Parity, StopBits, Handshake);

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

    /// <summary>
    /// The unit's own warning limits, written to it (OUT_SP_03 high, OUT_SP_04 low) every time the link
    /// is opened and read back, so that the chiller keeps guarding the modules by itself when this
    /// process is not running. Set points outside this band are refused. The defaults suit a stand that
    /// cools silicon modules: above 30 °C the bath is heating the modules rather than cooling them (a
    /// heat load the unit cannot hold, or a wrong set point); below −35 °C it is colder than any module
    /// test needs and thermal stress and condensation risk grow. Must satisfy
    /// TempMin ≤ WarningLimitLow &lt; WarningLimitHigh ≤ TempMax.
    /// </summary>
    public double WarningLimitHigh { get; set; } = 30;
    public double WarningLimitLow { get; set; } = -35;

    /// <summary>Whether the stand has an external Pt100 on the unit; Auto (the seed's behaviour) reads it when it is there.</summary>
    public JulaboExternalSensor ExternalSensor { get; set; } = JulaboExternalSensor.Auto;

    public bool IsSimulated => string.Equals(Port, SimulatedPort, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every problem with these settings, one per line, each starting with its key; empty when they are usable.</summary>
    public virtual IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Port)) problems.Add("Julabo:Port is empty (a serial device, host:port, or \"simulated\")");
        else if (!IsSimulated && !Transports.IsValidPort(Port))
            problems.Add($"Julabo:Port \"{Port}\" is neither a serial device path, host:port, nor \"simulated\"");
        problems.AddRange(Serial.Validate().Select(problem => $"Julabo:{problem}"));
        if (CommandInterval < TimeSpan.Zero) problems.Add("Julabo:CommandInterval must not be negative");
        if (ReplyTimeout <= TimeSpan.Zero) problems.Add("Julabo:ReplyTimeout must be positive");
        if (PollPeriod <= TimeSpan.Zero) problems.Add("Julabo:PollPeriod must be positive");
        if (ReconnectDelayMin <= TimeSpan.Zero || ReconnectDelayMax < ReconnectDelayMin)
            problems.Add("Julabo:ReconnectDelayMin must be positive and not above ReconnectDelayMax");
        if (!(TempMin < TempMax)) problems.Add($"Julabo:TempMin {TempMin} must be below TempMax {TempMax}");
        // Within the unit's range: checked only when the range itself makes sense.
        var range = TempMin < TempMax ? (Min: TempMin, Max: TempMax) : (Min: double.NegativeInfinity, Max: double.PositiveInfinity);
        if (!double.IsFinite(WarningLimitHigh) || WarningLimitHigh < range.Min || WarningLimitHigh > range.Max)
            problems.Add($"Julabo:WarningLimitHigh {WarningLimitHigh} must be a temperature within the unit's range TempMin..TempMax ({TempMin}..{TempMax} °C)");
        if (!double.IsFinite(WarningLimitLow) || WarningLimitLow < range.Min || WarningLimitLow > range.Max)
            problems.Add($"Julabo:WarningLimitLow {WarningLimitLow} must be a temperature within the unit's range TempMin..TempMax ({TempMin}..{TempMax} °C)");
        else if (!(WarningLimitLow < WarningLimitHigh))
            problems.Add($"Julabo:WarningLimitLow {WarningLimitLow} must be below WarningLimitHigh {WarningLimitHigh}");
        if (!Enum.IsDefined(ExternalSensor)) problems.Add($"Julabo:ExternalSensor {ExternalSensor} is not Auto, Expected or Absent");
        return problems;
    }
}
