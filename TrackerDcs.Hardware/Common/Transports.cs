using System.Globalization;

namespace TrackerDcs.Hardware.Common;

/// <summary>Chooses the transport a port setting names: a serial device path, or host:port for a TCP serial bridge.</summary>
public static class Transports
{
    /// <summary>A new, unopened transport for <paramref name="port"/>; the serial settings apply to a serial device only.</summary>
    public static ITransport Create(string port, SerialSettings serial)
    {
        if (LooksLikeSerialDevice(port)) return new SerialTransport(port, serial);
        if (TryParseHostPort(port, out var host, out var tcpPort)) return new TcpTransport(host, tcpPort);
        throw new ArgumentException($"port \"{port}\" is neither a serial device path nor host:port", nameof(port));
    }

    /// <summary>Whether <see cref="Create"/> can make a transport for this port setting.</summary>
    public static bool IsValidPort(string port) => LooksLikeSerialDevice(port) || TryParseHostPort(port, out _, out _);

    /// <summary>Serial devices are absolute paths on Linux (/dev/ttyUSB0, a socat link) and COMn on Windows.</summary>
    public static bool LooksLikeSerialDevice(string port) =>
        port.StartsWith('/') || port.StartsWith("COM", StringComparison.OrdinalIgnoreCase) && port.Length > 3 && port[3..].All(char.IsAsciiDigit);

    /// <summary>"host:port" with a port 1..65535; an IPv6 host goes in brackets ("[::1]:8000").</summary>
    public static bool TryParseHostPort(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            return false;
        host = text[..colon].Trim('[', ']');
        return host.Length > 0;
    }
}
