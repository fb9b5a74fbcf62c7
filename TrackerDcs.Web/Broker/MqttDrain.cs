using MQTTnet.Protocol;
using MQTTnet.Server;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Ends the MQTT connections at the very start of a stop. The broker's connections are Kestrel connections, and
/// Kestrel's stop waits for every open connection until the host's shutdown time-out (30 s): an MQTT client
/// never closes on its own, so any connected client made every stop take 30 s, and the clients were cut before
/// the "offline" heartbeat reached them. So a stop first publishes the announcements (<see cref="IStopAnnouncement"/>),
/// gives the messages queued to each client a short time to go out, then disconnects every client with "server
/// shutting down" (MQTT 5, reason 0x8B): that DISCONNECT is written after the message being written, so nothing queued
/// is cut off.
/// The callbacks of ApplicationStopping must wait for it: ASP.NET Core's connection manager closes the WebSocket
/// connections (/mqtt) abruptly in its own callback, and a token runs its callbacks in reverse order of registration.
/// That one is registered when /mqtt is mapped, before the host starts; this one once the host has started, so it
/// runs first and holds the others until the drain is over, while the WebSocket clients are still there.
/// </summary>
public sealed class MqttDrain(MqttServer server, MqttConnectionGuard connections, IHostApplicationLifetime lifetime,
    IEnumerable<IStopAnnouncement> announcements, ILogger<MqttDrain> log) : IHostedLifecycleService
{
    /// <summary>Enough for a few queued messages on a local network; the stop as a whole aims at under 5 s.</summary>
    private static readonly TimeSpan DeliveryTime = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private Task? _drain;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // A callback cannot be awaited: the stop waits here, at most the delivery time and the disconnects.
        lifetime.ApplicationStopping.Register(() => Drain().GetAwaiter().GetResult());
        return Task.CompletedTask;
    }

    /// <summary>
    /// Done already, or joined: after a signal, the host's StopAsync calls this while the ApplicationStopping callbacks may
    /// still be running on the signal's thread, before they have reached this service's. Both wait for the one drain, so
    /// the callbacks registered before this one (the connection manager's) still run only once it is over.
    /// </summary>
    public Task StoppingAsync(CancellationToken cancellationToken) => Drain();

    private Task Drain()
    {
        lock (_gate) return _drain ??= Task.Run(DrainAsync);
    }

    /// <summary>
    /// Once per stop: the announcements, up to <see cref="DeliveryTime"/> for every connected client's queue to empty, the
    /// disconnects, and up to as long again for the connections to close.
    /// </summary>
    private async Task DrainAsync()
    {
        if (!server.IsStarted) return;
        log.LogInformation("Stopping: announcing the stop to the {Clients} MQTT clients ({Connections} connections)",
            (await server.GetClientsAsync()).Count, connections.Connections);
        using (var deadline = new CancellationTokenSource(DeliveryTime))
        {
            long pending = 0;
            try
            {
                foreach (var announcement in announcements) await announcement.AnnounceStopAsync(deadline.Token);
                // Polled: MQTTnet raises no event when a session's queue empties.
                for (pending = await PendingAsync(); pending > 0; pending = await PendingAsync())
                    await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                log.LogWarning("Stopping: {Pending} MQTT messages were not delivered within {Time} s", pending, DeliveryTime.TotalSeconds);
            }
        }
        var clients = (await server.GetClientsAsync()).Count;
        await server.StopAsync(new MqttServerStopOptions
        {
            DefaultClientDisconnectOptions = new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.ServerShuttingDown },
        });
        // Each connection completes its output when MQTTnet lets go of it, so what was written still goes out before the
        // close. ASP.NET Core's connection manager, whose callback runs next, aborts a WebSocket connection still open,
        // output and all: wait for them to end first, as long as the delivery time allows.
        using (var closing = new CancellationTokenSource(DeliveryTime))
        {
            try
            {
                while (connections.Connections > 0) await Task.Delay(TimeSpan.FromMilliseconds(20), closing.Token);
            }
            catch (OperationCanceledException)
            {
                log.LogWarning("Stopping: {Open} MQTT connections were still open {Time} s after the disconnects", connections.Connections, DeliveryTime.TotalSeconds);
            }
        }
        log.LogInformation("Stopping: the MQTT broker disconnected its {Clients} clients", clients);
    }

    /// <summary>Queued for connected clients only: a persistent session's queue waits for its client, not for the stop.</summary>
    private async Task<long> PendingAsync() => (await server.GetClientsAsync()).Sum(c => c.Session.PendingApplicationMessagesCount);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
