using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using TrackerDcs.Tests.Broker;
using TrackerDcs.Tests.Support;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Platform;

/// <summary>
/// A clean stop (SIGTERM, what systemd and docker send) with MQTT clients connected over TCP, over WebSocket and
/// with a persistent session: the process ends within seconds, and the retained heartbeat says "offline" to every
/// client before the broker goes. Before, Kestrel waited its 30 s shutdown time-out for the MQTT connections,
/// heartbeats said "online" meanwhile, and the clients were cut before "offline" was published.
/// </summary>
public sealed class CleanStopTests(ITestOutputHelper output)
{
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    /// <summary>Generous against the 5 s aim (a loaded machine), far below the 30 s of the host's time-out.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_sigterm_with_clients_connected_ends_the_process_soon_and_every_client_receives_offline_first()
    {
        await using var stand = new StandProcess();
        await stand.StartAsync();
        await using var tcp = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/heartbeat"]);
        await using var persistent = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/heartbeat"], "-c", "-i", "clean-stop-persistent", "-q", "1");
        var trusted = X509CertificateLoader.LoadCertificateFromFile(stand.CertificatePem);
        using var ws = new MqttClientFactory().CreateMqttClient();
        var wsClosed = new TaskCompletionSource<MqttClientDisconnectReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        ws.DisconnectedAsync += e => { wsClosed.TrySetResult(e.Reason); return Task.CompletedTask; };
        await ws.ConnectAsync(new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri($"wss://localhost:{stand.HttpsPort}/mqtt"))
            .WithTlsOptions(o => o.WithCertificateValidationHandler(e => e.Certificate.GetCertHashString() == trusted.GetCertHashString()))
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCredentials("admin", StandProcess.AdminPassword)
            .Build());
        await ws.SubscribeAsync("dcs/heartbeat");
        // A library client may drop what it received but had not handed on when the connection ends: a bare one reads
        // every packet the broker sent before it closed.
        var (wsRaw, refused) = await RawMqttClient.ConnectWebSocketAsync(new Uri($"wss://localhost:{stand.HttpsPort}/mqtt"), 4, "admin", StandProcess.AdminPassword);
        await using var _ = wsRaw;
        Assert.Equal(0, refused);
        await wsRaw.SubscribeAsync("dcs/heartbeat");
        var wsReceived = wsRaw.ReadUntilClosedAsync(TimeSpan.FromSeconds(60));
        await tcp.WaitOnAsync("dcs/heartbeat", h => h.Contains("\"online\""), TimeSpan.FromSeconds(20), "online");
        await persistent.WaitOnAsync("dcs/heartbeat", h => h.Contains("\"online\""), TimeSpan.FromSeconds(20), "online");

        var watch = Stopwatch.StartNew();
        await stand.StopAsync();
        var took = watch.Elapsed;
        output.WriteLine($"SIGTERM to exit: {took.TotalSeconds:0.00} s");

        Assert.True(took < Limit, $"the stop took {took.TotalSeconds:0.0} s with four MQTT clients connected; the log:\n{stand.Log}");
        // A clean stop ends cleanly: a service manager reads a non-zero code as a failure (and systemd may restart the stand).
        Assert.True(stand.ExitCode == 0, $"the process exited with {stand.ExitCode}; the log:\n{stand.Log}");
        Assert.Contains("\"stopped\"", await tcp.WaitOnAsync("dcs/heartbeat", h => h.Contains("\"offline\""), TimeSpan.FromSeconds(5), "offline over TCP"));
        await persistent.WaitOnAsync("dcs/heartbeat", h => h.Contains("\"offline\""), TimeSpan.FromSeconds(5), "offline to the persistent session");
        // Over WebSocket too, although ASP.NET Core closes those connections as soon as the stop is signalled. (The
        // client reports a normal disconnection: the WebSocket's close overtakes the broker's DISCONNECT and its reason.)
        await wsClosed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var wsPackets = await wsReceived.WaitAsync(TimeSpan.FromSeconds(5));
        var wsHeartbeats = wsPackets.Where(p => p.Type == 3).Select(RawMqttClient.Payload).ToList();
        Assert.True(wsHeartbeats.Any(h => h.Contains("\"offline\"") && h.Contains("\"stopped\"")),
            $"no offline over WebSocket; the packets before the close (types): [{string.Join(", ", wsPackets.Select(p => p.Type))}], " +
            $"heartbeats: [{string.Join(" | ", wsHeartbeats)}]; the log:\n{stand.Log}");
        Assert.DoesNotContain("\"online\"", wsHeartbeats.SkipWhile(h => !h.Contains("\"offline\"")));
    }
}
