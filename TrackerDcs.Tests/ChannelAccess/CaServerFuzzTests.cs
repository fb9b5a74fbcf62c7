using System.Net;
using Microsoft.Extensions.Logging;
using System.Net.Sockets;
using TrackerDcs.Hardware.ChannelAccess;
using static TrackerDcs.Tests.ChannelAccess.CaTest;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>A client sending nonsense loses its own circuit at worst; the server keeps serving everyone else.</summary>
public class CaServerFuzzTests(ITestOutputHelper output)
{
    private static readonly CaCommand[] Commands = Enum.GetValues<CaCommand>();

    [Fact]
    public async Task Random_requests_never_take_the_server_down()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var pv = new ProcessVariable("test:Fuzz", CaType.Double, new[] { 1.0, 2.0 });
        var log = new ListLogger<CaServer>();
        await using var server = StartServer([pv], log);

        for (var round = 0; round < 20; round++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await tcp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.TcpPort));
            var messages = new List<byte>();
            messages.AddRange(CaMessage.Version().ToBytes());
            messages.AddRange(CaMessage.CreateChannel(pv.Name, 1).ToBytes());
            for (var i = 0; i < 30; i++) messages.AddRange(RandomMessage(random));
            if (round % 4 == 0) messages.AddRange(Enumerable.Range(0, 64).Select(_ => (byte)random.Next(256)));
            try { await tcp.SendAsync(messages.ToArray(), SocketFlags.None); }
            catch (SocketException) { }
        }

        await using var client = new CaClient(CaTest.OptionsFor(server.SearchPort));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var channel = await client.ConnectAsync(pv.Name, timeout.Token);
        var reading = await channel.GetAsync(cancellationToken: timeout.Token); // the fuzz may have written any value
        Assert.Equal(CaType.Double, reading.Type);
        Assert.True(server.IsRunning);
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Error);
    }

    /// <summary>A well-framed message with random fields: command, DBR type, count, IDs and payload.</summary>
    private static byte[] RandomMessage(Random random)
    {
        var payload = new byte[8 * random.Next(0, 6)];
        random.NextBytes(payload);
        var header = new CaHeader(Commands[random.Next(Commands.Length)], (uint)payload.Length,
            (ushort)random.Next(0, 40), random.Next(3) == 0 ? (uint)random.Next() : (uint)random.Next(0, 4),
            (uint)random.Next(0, 3), (uint)random.Next(0, 3));
        var bytes = new byte[header.EncodedSize + payload.Length];
        header.WriteTo(bytes);
        payload.CopyTo(bytes, header.EncodedSize);
        return bytes;
    }
}
