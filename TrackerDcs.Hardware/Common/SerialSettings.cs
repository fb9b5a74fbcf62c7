using System.IO.Ports;

namespace TrackerDcs.Hardware.Common;

/// <summary>The line settings of an RS-232 port. <see cref="ToString"/> is the usual short form, "115200 8N1".</summary>
public sealed record SerialSettings(
    int BaudRate, int DataBits = 8, Parity Parity = Parity.None, StopBits StopBits = StopBits.One, Handshake Handshake = Handshake.None)
{
    /// <summary>Every problem with these settings, one per line, each starting with the setting's name; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (BaudRate <= 0) problems.Add($"BaudRate {BaudRate} must be positive");
        if (DataBits is < 5 or > 8) problems.Add($"DataBits {DataBits} must be 5..8");
        if (StopBits == StopBits.None) problems.Add("StopBits None is not a serial setting (One, OnePointFive, Two)");
        return problems;
    }

    /// <summary>
    /// How long <paramref name="bytes"/> characters take on the wire once the port starts sending them: a start bit,
    /// the data bits, the parity bit if any, and the stop bits each ("OUT_SP_03 30.00\r", 16 characters at 4800 7E1,
    /// takes 16 × 10 / 4800 s = 33 ms). A write returns when the bytes are queued in the driver, not when they have left.
    /// </summary>
    public TimeSpan TimeOnWire(int bytes)
    {
        var stop = StopBits switch { StopBits.Two => 2.0, StopBits.OnePointFive => 1.5, _ => 1.0 };
        var bitsPerCharacter = 1 + DataBits + (Parity == Parity.None ? 0 : 1) + stop;
        return TimeSpan.FromSeconds(bytes * bitsPerCharacter / BaudRate);
    }

    public override string ToString() =>
        $"{BaudRate} {DataBits}{Parity.ToString()[0]}{StopBits switch { StopBits.Two => "2", StopBits.OnePointFive => "1.5", _ => "1" }}" +
        (Handshake == Handshake.None ? "" : $" handshake {Handshake}");
}
