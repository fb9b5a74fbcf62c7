using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>What the Channel Access tests share: a server on a free port, client options for it, a time limit.</summary>
internal static class CaTest
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static ChannelAccessOptions OptionsFor(int port) => new()
    {
        AddressList = $"127.0.0.1:{port}",
        AutoAddressList = false,
        ServerPort = port,
        ClientName = "tester",
    };

    /// <summary>A started server on a free loopback port; a port taken between the probe and the bind is retried.</summary>
    public static CaServer StartServer(IReadOnlyList<ProcessVariable> pvs, ILogger<CaServer>? logger = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var server = new CaServer(pvs, new CaServerOptions { Port = FreePort.ChannelAccess() }, logger);
            try
            {
                server.Start();
                return server;
            }
            catch (SocketException) when (attempt < 5) { }
        }
    }

    /// <summary>A token that cancels after <see cref="Deadline"/>.</summary>
    public static CancellationToken TimeLimit() => new CancellationTokenSource(Deadline).Token;
}
