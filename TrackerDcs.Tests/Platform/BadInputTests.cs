using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Platform;

/// <summary>Oversized and malformed packets and a flood of bad passwords: refused, while other clients keep being served.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const int MaxPacketSize = 4096;
    // The login flood comes from one address faster than Broker:ConnectionsPerAddressPerSecond allows; that limit
    // would close most of it before any login (Broker/IdleConnectionTests): here it is raised, to test the logins.
    private readonly StandProcess _stand = new(new Dictionary<string, string>
    {
        ["Broker:MaxPacketSize"] = MaxPacketSize.ToString(),
        ["Broker:ConnectionBurstPerAddress"] = "2000",
    });
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    public Task InitializeAsync() => _stand.StartAsync();
    public async Task DisposeAsync() => await _stand.DisposeAsync();

    [Fact]
    public async Task An_oversized_packet_closes_only_its_connection()
    {
        await using var sub = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["lab/big", "lab/small"]);
        var big = await ProcessRunner.RunAsync("mosquitto_pub", ["-h", "127.0.0.1", "-p", _stand.MqttPort.ToString(), .. Admin, "-q", "1", "-t", "lab/big", "-s"],
            stdin: new string('x', 2 * MaxPacketSize));
        Assert.NotEqual(0, big.ExitCode);
        var small = await Mosquitto.PubAsync(_stand.MqttPort, [.. Admin, "-q", "1", "-t", "lab/small", "-m", "still served"]);
        Assert.Equal(0, small.ExitCode);
        Assert.Equal("lab/small still served", await sub.NextAsync(TimeSpan.FromSeconds(10)));
        // The refusal is logged as the connection closes, which may come after the next client is served.
        await Eventually.True(() => _stand.Log.Contains("exceeds Broker:MaxPacketSize (4096)"), "the log line naming the packet size limit");
    }

    [Theory]
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F })]            // remaining length of 5 bytes
    [InlineData(new byte[] { 0x10, 0x04, 0xDE, 0xAD, 0xBE, 0xEF })]            // CONNECT with a garbage body
    [InlineData(new byte[] { 0x30, 0x03, 0x00, 0x01, 0x61 })]                  // PUBLISH before CONNECT
    [InlineData(new byte[] { 0x47, 0x45, 0x54, 0x20, 0x2F, 0x20, 0x48, 0x54 })] // an HTTP request on the MQTT port
    public async Task A_malformed_stream_is_closed_and_the_broker_keeps_serving(byte[] garbage)
    {
        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync("127.0.0.1", _stand.MqttPort);
            var stream = socket.GetStream();
            await stream.WriteAsync(garbage);
            var buffer = new byte[64];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            // The broker closes the connection: a read returns 0 (or the reset surfaces as an exception).
            try
            {
                Assert.Equal(0, await stream.ReadAsync(buffer, timeout.Token));
            }
            catch (IOException)
            {
            }
        }
        Assert.True(_stand.IsRunning);
        var pub = await Mosquitto.PubAsync(_stand.MqttPort, [.. Admin, "-q", "1", "-t", "lab/after-garbage", "-m", "ok"]);
        Assert.Equal(0, pub.ExitCode);
    }

    [Fact]
    public async Task A_thousand_bad_passwords_are_refused_while_other_clients_are_served()
    {
        await using var sub = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["lab/heartbeat"]);
        var factory = new MqttClientFactory();
        var refused = 0;
        var accepted = 0;
        using var flooding = new CancellationTokenSource();

        // A legitimate client keeps publishing during the flood; its subscriber must get every message.
        var published = 0;
        var heartbeat = Task.Run(async () =>
        {
            using var client = factory.CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _stand.MqttPort)
                .WithCredentials("admin", StandProcess.AdminPassword).Build());
            while (!flooding.IsCancellationRequested)
            {
                await client.PublishStringAsync("lab/heartbeat", (++published).ToString(), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
                await Task.Delay(50);
            }
            await client.DisconnectAsync();
        });

        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (i, ct) =>
        {
            using var client = factory.CreateMqttClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _stand.MqttPort)
                .WithCredentials($"user{i % 10}", $"wrong-{i}").WithTimeout(TimeSpan.FromSeconds(30)).Build();
            try
            {
                var result = await client.ConnectAsync(options, ct);
                Interlocked.Increment(ref result.ResultCode == MqttClientConnectResultCode.NotAuthorized ? ref refused : ref accepted);
            }
            catch (MqttConnectingFailedException e) when (e.Message.Contains("NotAuthorized"))
            {
                Interlocked.Increment(ref refused);
            }
        });
        flooding.Cancel();
        await heartbeat;

        Assert.Equal(0, accepted);
        Assert.Equal(1000, refused);
        Assert.True(published > 0);
        for (var n = 1; n <= published; n++)
            Assert.Equal($"lab/heartbeat {n}", await sub.NextAsync(TimeSpan.FromSeconds(10)));
    }
}
