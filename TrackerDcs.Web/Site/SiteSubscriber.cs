using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using TrackerDcs.Web.Alarms;

namespace TrackerDcs.Web.Site;

/// <summary>
/// The site instance's link to the site's cluster: one MQTT client with the site's account on one node at a time,
/// handing over to the next node when its node is lost, as a stand's uplink does. It subscribes to every stand
/// (site/+/#): the statuses go to <see cref="SiteStands"/>, the stands' replies to whoever waits for them
/// (<see cref="Replied"/>), and it publishes the site operators' commands (<see cref="PublishAsync"/>).
/// Latest values are repeated by every stand within their period (the heartbeat every 5 s, every value again after an
/// uplink's reconnection), so a subscriber that changed node has the stands again within seconds. Reaching no node
/// at all for Site:AlarmAfter is the site instance's own alarm site.cluster (<see cref="SiteStands.AlarmConditions"/>).
/// </summary>
public sealed class SiteSubscriber(SiteOptions options, SiteStands stands, AlarmManager alarms, TimeProvider time, ILogger<SiteSubscriber> log) : BackgroundService
{
    public const string Filter = "site/+/#";
    private static readonly TimeSpan MaxRoundDelay = TimeSpan.FromSeconds(10);
    private readonly IReadOnlyList<(string Host, int Port)> _endpoints = options.Endpoints();
    private IMqttClient? _client;
    private int _node = -1;

    /// <summary>A stand's answer on site/&lt;stand&gt;/&lt;device&gt;/reply: the stand's name and the reply's payload; raised on the client's thread.</summary>
    public event Action<string, string>? Replied;

    /// <summary>The node connected to now (host:port), or null while no node is reachable.</summary>
    public string? ConnectedNode => _client is { IsConnected: true } && _node >= 0 ? Endpoint(_node) : null;

    private string Endpoint(int index) => $"{_endpoints[index].Host}:{_endpoints[index].Port}";

    /// <summary>A command to a stand, QoS 1: null once a node acknowledged it, else why not (no node connected, refused, lost).</summary>
    public async Task<string?> PublishAsync(string topic, string payload, CancellationToken ct)
    {
        if (_client is not { IsConnected: true } client) return "the site instance is connected to no node of the site's cluster";
        try
        {
            var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
            return result.IsSuccess ? null : $"the site's cluster refused {topic}: {result.ReasonCode} {result.ReasonString}";
        }
        catch (Exception e) when (e is MqttCommunicationException or InvalidOperationException)
        {
            return $"the site's cluster was lost while sending {topic}: {e.Message}";
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        stands.SetCluster(time.GetUtcNow(), "connecting");
        var ticking = TickAsync(ticks, stoppingToken);
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (await ConnectToAnyAsync(stoppingToken))
            {
                delay = TimeSpan.FromMilliseconds(500);
                // Connected: look at the connection once a second; a lost node hands over to the next one.
                try
                {
                    while (_client!.IsConnected) await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                }
                catch (OperationCanceledException) { break; }
                log.LogWarning("Site instance: lost node {Node}; trying the next node", Endpoint(_node));
                stands.SetCluster(time.GetUtcNow(), $"lost {Endpoint(_node)}");
                continue;
            }
            try { await Task.Delay(delay, time, stoppingToken); }
            catch (OperationCanceledException) { break; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRoundDelay.Ticks));
        }
        await ticking;
    }

    /// <summary>
    /// Once a second the page hears of the time passing: heartbeats age and stands become lost without any message; and
    /// the site's own alarm manager (nothing else raises alarms on the site instance) takes the cluster's state.
    /// </summary>
    private async Task TickAsync(PeriodicTimer ticks, CancellationToken ct)
    {
        try
        {
            while (await ticks.WaitForNextTickAsync(ct))
            {
                await alarms.ReconcileAsync([.. stands.AlarmConditions()], ct);
                stands.Tick();
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>One round over the nodes, starting with the one after the node last used, each with a fresh client (see <see cref="SiteUplink"/>).</summary>
    private async Task<bool> ConnectToAnyAsync(CancellationToken ct)
    {
        for (var attempt = 1; attempt <= _endpoints.Count; attempt++)
        {
            var index = (_node + attempt + _endpoints.Count) % _endpoints.Count;
            var client = NewClient();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(SiteClient.ConnectTimeout);
                await client.ConnectAsync(SiteClient.Options(options, _endpoints[index], SiteClient.ConnectionClientId("trackerdcs-site")), timeout.Token);
                await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(f => f.WithTopic(Filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build(), timeout.Token);
                var old = _client;
                _client = client;
                _node = index;
                old?.Dispose();
                stands.SetCluster(null, $"connected to {Endpoint(index)}");
                log.LogInformation("Site instance: connected to node {Node}, reading {Filter}", Endpoint(index), Filter);
                return true;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                client.Dispose();
                return false;
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or InvalidOperationException or IOException
                                          or System.Net.Sockets.SocketException)
            {
                client.Dispose();
                var reason = e.InnerException?.Message ?? e.Message;
                stands.SetCluster(time.GetUtcNow(), $"{Endpoint(index)} unreachable: {reason}");
                log.LogWarning("Site instance: node {Node} unreachable ({Reason})", Endpoint(index), reason);
            }
        }
        return false;
    }

    private IMqttClient NewClient()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var topic = e.ApplicationMessage.Topic;
            var payload = e.ApplicationMessage.ConvertPayloadToString() ?? "";
            var levels = topic.Split('/');
            if (levels is ["site", var stand, _, "reply"]) Replied?.Invoke(stand, payload);
            else stands.Apply(topic, payload);
            return Task.CompletedTask;
        };
        return client;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client is not { IsConnected: true } client) return;
        try { await client.DisconnectAsync(cancellationToken: cancellationToken); }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException) { }
    }

    public override void Dispose()
    {
        _client?.Dispose();
        base.Dispose();
    }
}
