using System.Buffers.Binary;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;

namespace TrackerDcs.Bench;

/// <summary>
/// Publishers and subscribers on one broker: everybody connects and subscribes first, then each publisher
/// sends its messages to its own topic as fast as its window allows and the subscribers, on a wildcard over
/// those topics, record each delivery's latency.
/// </summary>
/// <param name="Retain">Publish with the retain flag: the broker keeps each topic's last message (and, with persistence, writes it to disk).</param>
/// <param name="RatePerPublisher">Messages per second each publisher sends, on a schedule; 0 sends as fast as the window allows.</param>
/// <param name="InFlight">Publishes each publisher keeps awaiting their completion (for QoS 1, the PUBACK).</param>
public sealed record Scenario(string Name, int Publishers, int Subscribers, int MessagesPerPublisher, MqttQualityOfServiceLevel Qos, bool Retain = false,
    int RatePerPublisher = 0, int InFlight = Scenario.PublishWindow)
{
    /// <summary>
    /// The paced fan-in's rate per publisher: 10 × 2,000 = 20,000 msg/s, a third of what either broker delivers at QoS 1
    /// when saturated, so neither queues and p50/p99 are the hop through the broker, not the depth of a backlog.
    /// </summary>
    public const int PacedRate = 2_000;

    public const int PayloadBytes = 100;

    /// <summary>
    /// Publishes each publisher keeps awaiting their completion (for QoS 1, the PUBACK): a busy client
    /// pipelines; awaiting each publish alone would measure one round trip at a time, not the broker.
    /// </summary>
    private const int PublishWindow = 100;

    /// <summary>
    /// The in-flight window of the usual MQTT clients: paho's Python client and Mosquitto's own <c>max_inflight_messages</c>
    /// default to 20. Ten such publishers keep at most 200 QoS 1 messages unacknowledged, against 1,000 with <see cref="PublishWindow"/>.
    /// </summary>
    private const int ClientWindow = 20;

    /// <summary>How long without a single delivery counts as "the rest is lost" (QoS 0 may drop).</summary>
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The longest a scenario may run, publishing included, so a full run stays within minutes.</summary>
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(60);

    public int ExpectedDeliveries => Publishers * MessagesPerPublisher * Subscribers;
    public int QosLevel => (int)Qos;

    /// <summary>
    /// Fan-in (sensors to one panel) and fan-out (one source to many panels), both QoS levels, saturated; and the fan-in
    /// paced below saturation (a quarter of the messages, at <see cref="PacedRate"/>): when saturated, the faster broker
    /// fills the subscriber's own receive buffer, and the latency measures that queue rather than the broker. The QoS 1
    /// fan-in also runs saturated with the usual clients' window (<see cref="ClientWindow"/>): what the publishers keep
    /// unacknowledged bounds the queue in front of a broker slower than the subscriber, not behind a faster one.
    /// </summary>
    public static IReadOnlyList<Scenario> Standard(int messagesPerPublisher) =>
    [
        new("10 pub → 1 sub", 10, 1, messagesPerPublisher, MqttQualityOfServiceLevel.AtMostOnce),
        new("10 pub → 1 sub", 10, 1, messagesPerPublisher, MqttQualityOfServiceLevel.AtLeastOnce),
        new($"10 pub → 1 sub, paced {10 * PacedRate:N0}/s", 10, 1, Math.Max(100, messagesPerPublisher / 4), MqttQualityOfServiceLevel.AtMostOnce, RatePerPublisher: PacedRate),
        new($"10 pub → 1 sub, paced {10 * PacedRate:N0}/s", 10, 1, Math.Max(100, messagesPerPublisher / 4), MqttQualityOfServiceLevel.AtLeastOnce, RatePerPublisher: PacedRate),
        new($"10 pub → 1 sub, {ClientWindow} in flight each", 10, 1, messagesPerPublisher, MqttQualityOfServiceLevel.AtLeastOnce, InFlight: ClientWindow),
        new("1 pub → 10 sub", 1, 10, messagesPerPublisher, MqttQualityOfServiceLevel.AtMostOnce),
        new("1 pub → 10 sub", 1, 10, messagesPerPublisher, MqttQualityOfServiceLevel.AtLeastOnce),
    ];

    /// <summary>Retained QoS 1, as sensor boxes publish their status: many publishers at once, and one alone (its latency is the disk's).</summary>
    public static IReadOnlyList<Scenario> Retained(int messagesPerPublisher) =>
    [
        new("10 pub → 1 sub, retained", 10, 1, messagesPerPublisher, MqttQualityOfServiceLevel.AtLeastOnce, Retain: true),
        new("1 pub → 1 sub, retained", 1, 1, messagesPerPublisher, MqttQualityOfServiceLevel.AtLeastOnce, Retain: true),
    ];

    public async Task<ScenarioResult> RunAsync(BrokerUnderTest broker, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var topic = $"bench/{run}";
        var recorder = new LatencyRecorder(Subscribers, Publishers * MessagesPerPublisher);
        var factory = new MqttClientFactory();
        var subscribers = new List<IMqttClient>();
        var publishers = new List<IMqttClient>();
        try
        {
            for (var i = 0; i < Subscribers; i++)
            {
                var client = factory.CreateMqttClient();
                subscribers.Add(client);
                var slot = i;
                client.ApplicationMessageReceivedAsync += e =>
                {
                    recorder.Record(slot, e.ApplicationMessage.Payload);
                    return Task.CompletedTask;
                };
                await client.ConnectAsync(broker.ClientOptions($"bench-{run}-sub{i}"), cancellationToken);
                var subscribed = await client.SubscribeAsync(
                    factory.CreateSubscribeOptionsBuilder().WithTopicFilter($"{topic}/+", Qos).Build(), cancellationToken);
                var granted = subscribed.Items.Single().ResultCode;
                if ((int)granted != QosLevel) throw new InvalidOperationException($"{broker.Name}: subscription answered {granted}");
            }
            for (var i = 0; i < Publishers; i++)
            {
                var client = factory.CreateMqttClient();
                publishers.Add(client);
                await client.ConnectAsync(broker.ClientOptions($"bench-{run}-pub{i}"), cancellationToken);
            }

            var cpuBefore = broker.ProcessorTime;
            var benchCpuBefore = BenchProcessorTime();
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(publishers.Select((client, i) => PublishAllAsync(client, $"{topic}/p{i}", cancellationToken)));
            await recorder.WaitForAsync(ExpectedDeliveries, started, IdleTimeout, RunLimit, cancellationToken);
            var cpu = broker.ProcessorTime - cpuBefore;
            var benchCpu = BenchProcessorTime() - benchCpuBefore;
            var elapsed = Stopwatch.GetElapsedTime(started, Math.Max(started, recorder.LastDelivery));
            var percentiles = recorder.PercentilesMs(50, 99);
            return new ScenarioResult(this, broker.Name, recorder.Delivered, elapsed, percentiles[0], percentiles[1], cpu, benchCpu);
        }
        finally
        {
            foreach (var client in publishers.Concat(subscribers))
            {
                if (client.IsConnected) await client.DisconnectAsync(cancellationToken: CancellationToken.None);
                client.Dispose();
            }
        }
    }

    private async Task PublishAllAsync(IMqttClient client, string topic, CancellationToken cancellationToken)
    {
        var window = new Queue<Task<MqttClientPublishResult>>(InFlight);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < MessagesPerPublisher; i++)
        {
            if (window.Count == InFlight) Check(await window.Dequeue());
            if (RatePerPublisher > 0)
            {
                // On schedule from the start, not after the previous one: a late message does not push the rest back.
                var due = TimeSpan.FromSeconds((double)i / RatePerPublisher) - Stopwatch.GetElapsedTime(start);
                if (due >= TimeSpan.FromMilliseconds(1)) await Task.Delay(due, cancellationToken);
            }
            // A fresh buffer per message: MQTTnet may still hold the previous one while it is in flight.
            var payload = new byte[PayloadBytes];
            BinaryPrimitives.WriteInt64LittleEndian(payload, Stopwatch.GetTimestamp());
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(Qos)
                .WithRetainFlag(Retain)
                .Build();
            window.Enqueue(client.PublishAsync(message, cancellationToken));
        }
        foreach (var pending in window) Check(await pending);
    }

    private static TimeSpan BenchProcessorTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static void Check(MqttClientPublishResult result)
    {
        if (!result.IsSuccess) throw new InvalidOperationException($"publish refused: {result.ReasonCode} {result.ReasonString}");
    }
}
