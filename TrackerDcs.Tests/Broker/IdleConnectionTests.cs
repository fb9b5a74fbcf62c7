using System.Net.Sockets;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Broker;

/// <summary>Sockets that never log in cannot hold the broker's connection slots (issue 15, finding 8).</summary>
[Collection("BrokerLimits")]
public sealed class IdleConnectionTests(BrokerLimitsFixture fixture)
{
    private StandProcess Stand => fixture.Stand;

    [Fact]
    public async Task With_every_slot_held_by_an_idle_socket_a_real_client_still_connects()
    {
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < BrokerLimitsFixture.MaxConnections; i++)
            {
                var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", Stand.MqttPort);
                idle.Add(socket);
            }
            var counted = 0;
            await Eventually.True(() => (counted = fixture.ConnectionsAsync().GetAwaiter().GetResult()) >= BrokerLimitsFixture.MaxConnections,
                $"the broker to count the {BrokerLimitsFixture.MaxConnections} idle sockets (counts {counted})", 30);

            var result = await Mosquitto.PubAsync(Stand.MqttPort,
                [.. Mosquitto.Auth("olivia", BrokerLimitsFixture.OperatorPassword), "-q", "1", "-t", "lab/limits/idle", "-m", "in"]);
            Assert.True(result.ExitCode == 0, $"the real client was refused: {result}");
            await Eventually.True(() => Stand.Log.Contains("closed to make room: not logged in while Broker:MaxConnections (20) is reached"),
                "the log line of the closed idle socket", 15);
        }
        finally
        {
            foreach (var socket in idle) socket.Dispose();
        }
    }

    [Fact]
    public async Task A_socket_that_sends_no_connect_is_closed_after_the_connect_timeout()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", Stand.MqttPort);
        var stream = socket.GetStream();
        // The broker's own time-out is 2 minutes here: a close within a minute is the connect time-out's (20 s).
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int read;
        try
        {
            read = await stream.ReadAsync(new byte[1], wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"the idle socket was still open after 60 s (Broker:ConnectTimeout is {BrokerLimitsFixture.ConnectTimeout})");
        }
        catch (IOException)
        {
            read = 0; // reset by the server: closed all the same
        }
        Assert.Equal(0, read);
        await Eventually.True(() => Stand.Log.Contains("closed: no CONNECT within Broker:ConnectTimeout"), "the log line of the time-out", 15);
    }

    [Fact]
    public async Task An_address_opening_connections_too_fast_is_refused_while_others_connect()
    {
        // 150 connections at once from 127.0.0.3: beyond the burst of 100 (Broker:ConnectionBurstPerAddress) at 10 a second.
        var from = System.Net.IPAddress.Parse("127.0.0.3");
        var sockets = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 150; i++)
            {
                var socket = new TcpClient(new System.Net.IPEndPoint(from, 0));
                sockets.Add(socket);
                try
                {
                    await socket.ConnectAsync("127.0.0.1", Stand.MqttPort);
                }
                catch (SocketException)
                {
                    // Closed by the server as soon as accepted: refused, as it should be past the burst.
                }
            }
            await Eventually.True(() => Stand.Log.Contains("MQTT connections from 127.0.0.3 refused for a while"), "the rate limit of 127.0.0.3", 30);
            var result = await Mosquitto.PubAsync(Stand.MqttPort,
                [.. Mosquitto.Auth("olivia", BrokerLimitsFixture.OperatorPassword), "-q", "1", "-t", "lab/limits/rate", "-m", "in"]);
            Assert.True(result.ExitCode == 0, $"a client from 127.0.0.1 was refused: {result}");
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }
}
