using System.Globalization;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace TrackerDcs.Bench;

/// <summary>
/// One stand of the site bench, as its uplink publishes to the site's cluster (docs/site.md, Site/SiteTopics): QoS 1,
/// one message after the other's acknowledgement, below site/&lt;stand&gt;/, with the payloads' shapes of the stand's own
/// topics. Each second the chiller's status; every 5 s (the stand's period, at a phase of its own) the crate's status,
/// dcs/channels and each channel's dcs/channels/&lt;id&gt;, the environment and, last, the heartbeat. About 3 messages
/// a second, the "few a second" a stand sends. The heartbeat's <c>time</c> (the stand's clock, as a stand sends it) is
/// what the bench follows to the site's read model: the site shows it as the stand's heartbeatAt.
/// </summary>
public sealed class SimulatedStand(string name, (string Host, int Port) node, string user, string password, TimeSpan phase) : IAsyncDisposable
{
    private const int Channels = 4;
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private long _published;
    private long _failed;

    public string Name => name;

    /// <summary>Messages the cluster acknowledged, and publishes that failed (refused or lost).</summary>
    public long Published => Interlocked.Read(ref _published);
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The times of the heartbeats this stand sent (its own clock, UTC), for the bench to count what arrived.</summary>
    public List<DateTimeOffset> Beats { get; } = [];

    public async Task StartAsync(CancellationToken ct)
    {
        // Clean session, MQTT 3.1.1: as the uplink connects (Site/SiteClient).
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(node.Host, node.Port)
            .WithClientId($"bench-{name}")
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithCleanSession()
            .WithCredentials(user, password)
            .Build();
        await _client.ConnectAsync(options, ct);
        _running = RunAsync(_stop.Token);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(phase, ct);
            await PublishAsync("alarms/active", "[]", ct);
            var second = 0;
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            do
            {
                await PublishAsync("julabo/status", Chiller(second), ct);
                if (second % (int)Period.TotalSeconds == 0)
                {
                    await PublishAsync("dcs/status", """{"fsm_state":"LV_ON"}""", ct);
                    var channels = Enumerable.Range(0, Channels).Select(c => Channel(c, second)).ToList();
                    await PublishAsync("dcs/channels", new JsonArray([.. channels.Select(c => c.DeepClone())]).ToJsonString(), ct);
                    for (var c = 0; c < Channels; c++) await PublishAsync($"dcs/channels/{c}", channels[c].ToJsonString(), ct);
                    await PublishAsync("environment/status", Environment(second), ct);
                    // Last of its second: until the next second's chiller status, the site's lastHeard of this stand is the heartbeat's arrival.
                    var now = DateTimeOffset.UtcNow;
                    lock (Beats) Beats.Add(now);
                    await PublishAsync("dcs/heartbeat", $$"""{"state":"online","time":"{{now:O}}","period_s":5}""", ct);
                }
                second++;
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task PublishAsync(string topic, string payload, CancellationToken ct)
    {
        try
        {
            var result = await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"site/{name}/{topic}").WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
            if (result.IsSuccess) Interlocked.Increment(ref _published);
            else Interlocked.Increment(ref _failed);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failed);
        }
    }

    // The values move a little, as measured values do: the payload's size and parsing are a real one's.
    private static string Chiller(int second) => new JsonObject
    {
        ["status_code"] = 3, ["internal_temp"] = Math.Round(-20 + 0.05 * Math.Sin(second / 7.0), 2), ["external_temp"] = Math.Round(-19.5 + 0.05 * Math.Cos(second / 9.0), 2),
        ["setpoint_1"] = -20.0, ["setpoint_2"] = 20.0, ["setpoint_3"] = 15.0, ["used_setpoint"] = 1, ["power"] = Math.Round(35 + Math.Sin(second / 5.0), 1),
        ["ext_is_used"] = false, ["limit_high"] = 40.0, ["limit_low"] = -40.0, ["fsm_state"] = "ON",
    }.ToJsonString();

    private static JsonObject Channel(int channel, int second)
    {
        var wobble = 0.001 * Math.Sin(second / 3.0 + channel);
        return new JsonObject
        {
            ["id"] = channel.ToString(CultureInfo.InvariantCulture), ["module"] = $"module_{channel}",
            ["lv_board"] = 0, ["lv_channel"] = channel, ["hv_board"] = 12, ["hv_channel"] = channel,
            ["lv_setV"] = 10.5, ["lv_vMon"] = Math.Round(10.5 + wobble, 4), ["lv_iMon"] = Math.Round(1.2 + wobble, 4), ["lv_maxI"] = 2.5,
            ["lv_ovVThr"] = 15.0, ["lv_unVThr"] = 0.0, ["lv_rampUpTime"] = 100.0, ["lv_rampDwnTime"] = 100.0, ["lv_tripTime"] = 10.0,
            ["lv_tripInt"] = 0, ["lv_tripExt"] = 17, ["lv_temp"] = Math.Round(31 + wobble * 100, 2), ["lv_status"] = 1,
            ["hv_setV"] = 0.0, ["hv_vMon"] = Math.Round(0.2 + wobble, 3), ["hv_iMon"] = Math.Round(0.01 + wobble / 10, 4), ["hv_maxI"] = 500.0,
            ["hv_maxV"] = 1000.0, ["hv_rampUpSpeed"] = 50.0, ["hv_rampDwnSpeed"] = 50.0, ["hv_tripTime"] = 10.0, ["hv_tripInt"] = 0,
            ["hv_tripExt"] = 17, ["hv_tripMode"] = 0, ["hv_imRange"] = 1, ["hv_status"] = 0, ["fsm_state"] = "LV_ON",
        };
    }

    private static string Environment(int second) => new JsonObject
    {
        ["dewpoint_margin"] = Math.Round(10.0 + 0.2 * Math.Sin(second / 60.0), 1), ["dewpoint"] = -30.0, ["coldest"] = Math.Round(-20.0 + 0.2 * Math.Sin(second / 60.0), 1),
        ["dewpoint_margin_min"] = 3.0,
    }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        if (_client.IsConnected)
        {
            try { await _client.DisconnectAsync(); }
            catch (Exception) { /* the cluster may be going down already: nothing to keep */ }
        }
        _client.Dispose();
        _stop.Dispose();
    }
}
