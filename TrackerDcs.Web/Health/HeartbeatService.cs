using System.Text.Json.Nodes;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Hosting;

namespace TrackerDcs.Web.Health;

/// <summary>
/// dcs/heartbeat, retained: "online" with the time every few seconds, "offline" on a clean stop. The broker
/// lives in this process, so a crash cannot publish a last will: an external watcher (a relay, a script
/// that switches the CAEN crate off) acts when its connection drops or the heartbeat's time goes stale.
/// </summary>
public sealed class HeartbeatService(CaenService caen, MqttPublisher publisher, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    private string Topic => $"{caen.Root}/heartbeat";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            do await publisher.PublishAsync(Topic, Beat("online"), retain: true, cancellationToken: stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await publisher.PublishAsync(Topic, Beat("offline"), retain: true, cancellationToken: cancellationToken);
    }

    private string Beat(string state) =>
        new JsonObject { ["state"] = state, ["time"] = time.GetUtcNow().ToString("O"), ["period_s"] = Period.TotalSeconds }.ToJsonString(Json.Options);
}
