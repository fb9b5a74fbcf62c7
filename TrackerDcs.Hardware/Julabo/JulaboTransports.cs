using System.Globalization;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>Chooses the transport that <see cref="JulaboSettings.Port"/> names.</summary>
public static class JulaboTransports
{
    /// <summary>A new, unopened transport for the configured port. "simulated" is the host's to resolve first.</summary>
    public static IJulaboTransport Create(JulaboSettings options)
    {
        if (options.IsSimulated)
            throw new InvalidOperationException("Port \"simulated\" has no transport: start a JulaboSimulator and connect to its TCP port");
        if (LooksLikeSerialDevice(options.Port))
            return new SerialJulaboTransport(options.Port, options.BaudRate, options.DataBits, options.Parity, options.StopBits, options.Handshake);
        if (TryParseHostPort(options.Port, out var host, out var port))
            return new TcpJulaboTransport(host, port);
        throw new ArgumentException($"Julabo port \"{options.Port}\" is neither a serial device path nor host:port", nameof(options));
    }

    /// <summary>Serial devices are absolute paths on Linux (/dev/ttyUSB0, a socat link) and COMn on Windows.</summary>
    public static bool LooksLikeSerialDevice(string port) =>
        port.StartsWith('/') || port.StartsWith("COM", StringComparison.OrdinalIgnoreCase) && port[3..].All(char.IsAsciiDigit) && port.Length > 3;

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
