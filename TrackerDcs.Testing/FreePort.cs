using System.Net;
using System.Net.Sockets;

namespace TrackerDcs.Testing;

/// <summary>Ports on 127.0.0.1 nobody uses now (the OS picks them; another process may still take one before the caller binds it).</summary>
public static class FreePort
{
    /// <summary>A TCP port nobody listens on.</summary>
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A port free for TCP and UDP whose next port is free for UDP too: what a Channel Access server binds
    /// (circuits on TCP, searches on UDP, beacons to the next port).
    /// </summary>
    public static int ChannelAccess()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                using var beacon = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                beacon.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
                return port;
            }
            catch (SocketException) when (attempt < 20) { }
        }
    }
}
