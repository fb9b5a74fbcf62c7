using System.Net;
using System.Net.Sockets;

namespace TrackerDcs.Bench;

public static class FreePort
{
    /// <summary>A TCP port on 127.0.0.1 nobody listens on now (the OS picks it).</summary>
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
