using System.Text;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Health;

/// <summary>
/// Keeps a client connection to the external watchdog broker whose last will is dcs/heartbeat "offline",
/// retained. When this process crashes, is killed or hangs past the keep-alive, that broker publishes the will,
/// so a watcher (a relay script that switches the crate off, a pager) learns it without polling. While
/// connected it repeats the "online" heartbeat; a clean stop publishes "offline" itself.
/// </summary>
public sealed class WatchdogService(
    WatchdogOptions options, ChannelMap map, TimeProvider time, ILogger<WatchdogService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private volatile string _state = "connecting";

    private string Topic => HeartbeatMessage.Topic(map);

    /// <summary>/readyz: connected to the watchdog broker, or why not.</summary>
    public ComponentState Readiness() => new(_client.IsConnected, _state);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The settings do not change while the process runs: the connect options are built once.
        var clientOptions = ClientOptions();
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _client.ConnectAsync(clientOptions, stoppingToken);
                _state = "connected";
                logger.LogInformation("Watchdog broker {Broker}: connected; it publishes {Topic} 'offline' (retained) if this process dies or hangs for {Timeout} s",
                    options.Broker, Topic, options.KeepAlive.TotalSeconds * 1.5);
                delay = TimeSpan.FromSeconds(1);
                await BeatWhileConnectedAsync(stoppingToken);
                if (!stoppingToken.IsCancellationRequested)
                    logger.LogWarning("Watchdog broker {Broker}: connection lost; the stand's process is not watched until it is back", options.Broker);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or InvalidOperationException or IOException)
            {
                var reason = e.InnerException?.Message ?? e.Message;
                // One warning per new reason: a long outage does not fill the log with the same line.
                var level = _state == $"unreachable: {reason}" ? LogLevel.Debug : LogLevel.Warning;
                _state = $"unreachable: {reason}";
                logger.Log(level, "Watchdog broker {Broker}: unreachable ({Reason}); the stand's process is not watched; trying again in {Delay} s",
                    options.Broker, reason, delay.TotalSeconds);
            }
            try { await Task.Delay(delay, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private async Task BeatWhileConnectedAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(HeartbeatMessage.Period, time);
        do
        {
            if (!_client.IsConnected) return;
            await _client.PublishAsync(Message(HeartbeatMessage.Online(time.GetUtcNow())), ct);
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!_client.IsConnected) return;
        try
        {
            // A clean DISCONNECT discards the will, so the stop is announced explicitly.
            await _client.PublishAsync(Message(HeartbeatMessage.Offline(time.GetUtcNow(), "stopped")), cancellationToken);
            await _client.DisconnectAsync(cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException)
        {
            logger.LogWarning("Watchdog broker {Broker}: could not announce the stop ({Reason}); its last will says 'offline' instead", options.Broker, e.Message);
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    private MqttApplicationMessage Message(string payload) => new MqttApplicationMessageBuilder()
        .WithTopic(Topic).WithPayload(payload).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private MqttClientOptions ClientOptions()
    {
        var (host, port, useTls) = options.Endpoint();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(options.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithCleanSession()
            .WithWillTopic(Topic)
            .WithWillPayload(Encoding.UTF8.GetBytes(HeartbeatMessage.Offline(null, "connection to TrackerDcs lost")))
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (options.User.Length > 0) builder.WithCredentials(options.User, options.Password);
        if (useTls) builder.WithTlsTrusting(options.CaFile);
        return builder.Build();
    }
}
