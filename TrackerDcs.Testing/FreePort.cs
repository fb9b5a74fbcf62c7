using System.Net;
using System.Net.Sockets;

namespace TrackerDcs.Testing;

/// <summary>
/// Ports on 127.0.0.1 nobody uses now, for servers the tests start. Taken below the kernel's ephemeral range
/// (net.ipv4.ip_local_port_range, 32768–60999 on Debian): a port the kernel hands out for "port 0" is also one it may
/// hand to any outgoing connection as its source port before the server binds it, and a RabbitMQ node then failed to
/// start with eaddrinuse on its AMQP port. Below that range only an explicit bind can take it.
/// </summary>
public static class FreePort
{
    private const int First = 20_000, Last = 32_767;

    /// <summary>A TCP port nobody listens on, and not one the kernel gives to outgoing connections.</summary>
    public static int Tcp()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(First, Last + 1);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException) when (attempt < 100) { }
        }
    }

    /// <summary>
    /// A port free for TCP and UDP whose next port is free for UDP too: what a Channel Access server binds
    /// (circuits on TCP, searches on UDP, beacons to the next port).
    /// </summary>
    public static int ChannelAccess()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(First, Last);
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                using var beacon = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                beacon.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
                return port;
            }
            catch (SocketException) when (attempt < 100) { }
        }
    }
}
