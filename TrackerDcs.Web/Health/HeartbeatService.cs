using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Health;

/// <summary>
/// dcs/heartbeat on the embedded broker, retained: "online" with the time every few seconds, "offline" on a
/// clean stop. The broker lives in this process, so a crash cannot publish a last will here: that is what the
/// external watchdog broker (<see cref="WatchdogService"/>) is for. Local watchers see the connection drop.
/// "offline" is published as the stop begins, while every client of the broker is still connected: the broker's
/// drain (<see cref="MqttDrain"/>) announces it and lets it go out before it disconnects them.
/// </summary>
public sealed class HeartbeatService(ChannelMap map, IMqttPublisher publisher, TimeProvider time) : BackgroundService, IStopAnnouncement
{
    private string Topic => HeartbeatMessage.Topic(map);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(HeartbeatMessage.Period, time);
        try
        {
            do await publisher.PublishAsync(Topic, HeartbeatMessage.Online(time.GetUtcNow()), retain: true, cancellationToken: stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    public async Task AnnounceStopAsync(CancellationToken cancellationToken)
    {
        // The loop ends first, so no "online" can follow the "offline".
        await base.StopAsync(cancellationToken);
        await publisher.PublishAsync(Topic, HeartbeatMessage.Offline(time.GetUtcNow(), "stopped"), retain: true, cancellationToken: cancellationToken);
    }
}
