using System.Net;
using System.Net.Sockets;

namespace TrackerDcs.Testing;

/// <summary>
/// Ports on 127.0.0.1 nobody uses now, for servers the tests start. Taken below the kernel's ephemeral range
/// (net.ipv4.ip_local_port_range, 32768–60999 on Debian): a port the kernel hands out for "port 0" it may hand
/// again to any other socket bound to port 0 (another test process's pick, an Erlang node's epmd starter) before
/// the server binds it, and a RabbitMQ node then failed to start with eaddrinuse on its AMQP port (outgoing
/// connections took ports of the other parity here). Below that range only an explicit bind can take it. No port is
/// handed out twice in a process while its server may still be starting.
/// </summary>
public static class FreePort
{
    private const int First = 20_000, Last = 32_767;

    // A port picked free stays unbound until its server binds it, up to ~20 s later (a RabbitMQ node's boot), and a
    // random pick meanwhile could return it again: two nodes of the site's cluster were given the same distribution
    // port, and the second failed to boot. A claim lapses after Held, by when its server has bound the port or is
    // gone, so that the range is not used up by a whole test run's picks.
    private static readonly Dictionary<int, long> HandedOut = [];
    private static readonly TimeSpan Held = TimeSpan.FromMinutes(2);

    /// <summary>A TCP port nobody listens on, not one the kernel gives for port 0, nor one handed out just before.</summary>
    public static int Tcp()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(First, Last + 1);
            try
            {
                Claim(port);
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
                Claim(port);
                Claim(port + 1);
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

    /// <summary>Records <paramref name="port"/> as handed out; one handed out within <see cref="Held"/> counts as in use.</summary>
    private static void Claim(int port)
    {
        var now = Environment.TickCount64;
        lock (HandedOut)
        {
            if (HandedOut.TryGetValue(port, out var at) && now - at < Held.TotalMilliseconds)
                throw new SocketException((int)SocketError.AddressAlreadyInUse);
            HandedOut[port] = now;
        }
    }
}
