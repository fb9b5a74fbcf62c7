using MQTTnet.Protocol;
using MQTTnet.Server;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Ends the MQTT connections at the very start of a stop. The broker's connections are Kestrel connections, and
/// Kestrel's stop waits for every open connection until the host's shutdown time-out (30 s): an MQTT client
/// never closes on its own, so any connected client made every stop take 30 s, and the clients were cut before
/// the "offline" heartbeat reached them. Here, in StoppingAsync (before any service's StopAsync, Kestrel's
/// included), the messages already queued to each client are given a short time to go out (the heartbeat
/// publishes "offline" in its own StoppingAsync, which runs first: the host calls them in reverse order of
/// registration, and the heartbeat is registered after the broker), then the server disconnects every client
/// with "server shutting down" (MQTT 5, reason 0x8B).
/// </summary>
public sealed class MqttDrain(MqttServer server, ILogger<MqttDrain> log) : IHostedLifecycleService
{
    /// <summary>Enough for a few queued messages on a local network; the stop as a whole aims at under 5 s.</summary>
    private static readonly TimeSpan DeliveryTime = TimeSpan.FromSeconds(2);

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (!server.IsStarted) return;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(DeliveryTime);
        var pending = await PendingAsync();
        try
        {
            while (pending > 0)
            {
                // Polled: MQTTnet raises no event when a session's queue empties.
                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
                pending = await PendingAsync();
            }
        }
        catch (OperationCanceledException)
        {
            log.LogWarning("Stopping: {Pending} MQTT messages were not delivered within {Time} s", pending, DeliveryTime.TotalSeconds);
        }
        var clients = (await server.GetClientsAsync()).Count;
        await server.StopAsync(new MqttServerStopOptions
        {
            DefaultClientDisconnectOptions = new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.ServerShuttingDown },
        });
        log.LogInformation("Stopping: the MQTT broker disconnected its {Clients} clients", clients);
    }

    /// <summary>Queued for connected clients only: a persistent session's queue waits for its client, not for the stop.</summary>
    private async Task<long> PendingAsync() => (await server.GetClientsAsync()).Sum(c => c.Session.PendingApplicationMessagesCount);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
