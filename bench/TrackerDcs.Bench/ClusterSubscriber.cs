using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace TrackerDcs.Bench;

/// <summary>
/// The site bench's peer: a plain MQTT subscriber with the site's account, on the site instance's node, subscribed to
/// what the site instance subscribes to (site/+/#, QoS 1). It takes the time of each heartbeat as it arrives: what
/// the cluster alone costs from a stand to a client, with no read model and no page behind it.
/// </summary>
public sealed class ClusterSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    /// <summary>Each heartbeat seen: the stand's time in it, and the moment it arrived here (both UTC, this process's clock).</summary>
    public ConcurrentQueue<(DateTimeOffset Beat, DateTimeOffset Arrived)> Beats { get; } = new();

    public async Task StartAsync((string Host, int Port) node, string user, string password, CancellationToken ct)
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var arrived = DateTimeOffset.UtcNow;
            if (!e.ApplicationMessage.Topic.EndsWith("/dcs/heartbeat", StringComparison.Ordinal)) return Task.CompletedTask;
            using var beat = JsonDocument.Parse(e.ApplicationMessage.Payload);
            if (beat.RootElement.TryGetProperty("time", out var time) && time.TryGetDateTimeOffset(out var at)) Beats.Enqueue((at, arrived));
            return Task.CompletedTask;
        };
        await _client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(node.Host, node.Port)
            .WithClientId("bench-peer")
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession()
            .WithCredentials(user, password)
            .Build(), ct);
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("site/+/#").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build(), ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try { await _client.DisconnectAsync(); }
            catch (Exception) { /* the cluster may be going down already: nothing to keep */ }
        }
        _client.Dispose();
    }
}
