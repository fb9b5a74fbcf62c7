using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Broker;

/// <summary>
/// A stand whose subscribers may have few messages unacknowledged before QoS 1 publishers wait for them, and whose
/// longest wait is long enough that a subscriber held by a test is never taken for stalled while the test looks.
/// </summary>
public sealed class FlowControlFixture : IAsyncLifetime
{
    public const int MaxUnacknowledged = 20;
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);
    public const string Password = "flow-password";

    public StandProcess Stand { get; } = new(new Dictionary<string, string>
    {
        ["Broker:FlowControl:MaxUnacknowledged"] = MaxUnacknowledged.ToString(),
        ["Broker:FlowControl:MaxWait"] = MaxWait.ToString(),
    });

    public async Task InitializeAsync()
    {
        await Stand.StartAsync();
        await Stand.AddUserAsync("olivia", "operator", Password);
        await Stand.AddUserAsync("fcbox", "device", Password, "fcbox/");
    }

    public async Task DisposeAsync() => await Stand.DisposeAsync();
}

/// <summary>
/// Flow control from a slow subscriber back to its QoS 1 publishers (issue 15, fan-in at QoS 1): before it, the broker
/// acknowledged every publish at once, and a queue only the subscriber bounded grew behind the broker. The subscriber
/// is MQTTnet's client with its acknowledgements in the test's hands; the publishers are MQTTnet's client (to count
/// acknowledgements as they come) and mosquitto_pub.
/// </summary>
public sealed class FlowControlTests(FlowControlFixture fixture) : IClassFixture<FlowControlFixture>
{
    private StandProcess Stand => fixture.Stand;
    private const int Limit = FlowControlFixture.MaxUnacknowledged;

    /// <summary>The operator's MQTTnet connection; its time-out outlasts the longest wait of a held publish.</summary>
    private static MqttClientOptions Operator(int port, string id) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port)
        .WithClientId(id)
        .WithCredentials("olivia", FlowControlFixture.Password)
        .WithTimeout(TimeSpan.FromSeconds(60))
        .Build();

    /// <summary>A subscriber that acknowledges only when told to, or nothing at all.</summary>
    private sealed class HeldSubscriber : IAsyncDisposable
    {
        /// <summary>Also the lock between the handler's choice and <see cref="CatchUpAsync"/>, so that none is left held.</summary>
        private readonly Queue<MqttApplicationMessageReceivedEventArgs> _unacknowledged = new();
        private readonly ConcurrentQueue<string> _received = new();
        private bool _acknowledgeAll;

        public IMqttClient Client { get; } = new MqttClientFactory().CreateMqttClient();
        public IReadOnlyList<string> Received => [.. _received];

        public static async Task<HeldSubscriber> ConnectAsync(int port, string id, params string[] topics)
        {
            var subscriber = new HeldSubscriber();
            subscriber.Client.ApplicationMessageReceivedAsync += e =>
            {
                subscriber._received.Enqueue($"{e.ApplicationMessage.Topic} {Encoding.UTF8.GetString(e.ApplicationMessage.Payload)}");
                lock (subscriber._unacknowledged)
                {
                    if (subscriber._acknowledgeAll) return Task.CompletedTask;
                    e.AutoAcknowledge = false;
                    subscriber._unacknowledged.Enqueue(e);
                }
                return Task.CompletedTask;
            };
            await subscriber.Client.ConnectAsync(Operator(port, id));
            foreach (var topic in topics) await subscriber.Client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
            return subscriber;
        }

        /// <summary>Acknowledges what it holds, and from now on everything as it comes.</summary>
        public async Task CatchUpAsync()
        {
            MqttApplicationMessageReceivedEventArgs[] held;
            lock (_unacknowledged)
            {
                _acknowledgeAll = true;
                held = [.. _unacknowledged];
                _unacknowledged.Clear();
            }
            foreach (var message in held) await message.AcknowledgeAsync(CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            if (Client.IsConnected) await Client.DisconnectAsync();
            Client.Dispose();
        }
    }

    /// <summary>An operator's MQTTnet client that has all its QoS 1 publishes in flight at once and counts their PUBACKs.</summary>
    private sealed class Publisher : IAsyncDisposable
    {
        private int _acknowledged;
        public IMqttClient Client { get; } = new MqttClientFactory().CreateMqttClient();
        public int Acknowledged => Volatile.Read(ref _acknowledged);

        public static async Task<Publisher> ConnectAsync(int port, string id)
        {
            var publisher = new Publisher();
            await publisher.Client.ConnectAsync(Operator(port, id));
            return publisher;
        }

        public Task PublishAsync(string topic, int count) => Task.WhenAll(Enumerable.Range(1, count).Select(async i =>
        {
            var result = await Client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(topic).WithPayload($"{i}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(result.IsSuccess, $"publish {i} refused: {result.ReasonCode}");
            Interlocked.Increment(ref _acknowledged);
        }));

        public async ValueTask DisposeAsync()
        {
            if (Client.IsConnected) await Client.DisconnectAsync();
            Client.Dispose();
        }
    }

    /// <summary>Waits until <paramref name="count"/> has not changed for a second: what the broker lets through has all come.</summary>
    private static async Task<int> SettledAsync(Func<int> count)
    {
        var last = -1;
        for (var i = 0; i < 60 && count() != last; i++)
        {
            last = count();
            await Task.Delay(1000);
        }
        return count();
    }

    [Fact]
    public async Task A_qos1_publisher_waits_for_a_subscriber_holding_its_acknowledgements_and_goes_on_when_it_catches_up()
    {
        await using var subscriber = await HeldSubscriber.ConnectAsync(Stand.MqttPort, "fc-slow", "lab/fc/held");
        await using var publisher = await Publisher.ConnectAsync(Stand.MqttPort, "fc-pub");
        const int sent = 200;
        var publishing = publisher.PublishAsync("lab/fc/held", sent);

        // Before flow control, all 200 were acknowledged and delivered at once, whatever the subscriber did.
        var delivered = await SettledAsync(() => subscriber.Received.Count);
        Assert.InRange(delivered, Limit, 2 * Limit);
        Assert.InRange(publisher.Acknowledged, Limit - 1, 2 * Limit);
        Assert.False(publishing.IsCompleted, "the publisher got all its acknowledgements while the subscriber held its own");
        Assert.Contains("MQTT client 'fc-slow' user 'olivia' has", Stand.Log);

        await subscriber.CatchUpAsync();
        await publishing.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(sent, publisher.Acknowledged);
        await Eventually.True(() => subscriber.Received.Count == sent, "all 200 delivered");
        Assert.Equal(Enumerable.Range(1, sent).Select(i => $"lab/fc/held {i}").Order(), subscriber.Received.Order());
    }

    [Fact]
    public async Task A_devices_publishes_and_the_stands_own_are_not_held_by_a_slow_subscriber()
    {
        await using var subscriber = await HeldSubscriber.ConnectAsync(Stand.MqttPort, "fc-slow-exempt", "lab/fc/exempt", "fcbox/#", "dcs/heartbeat");
        await using var publisher = await Publisher.ConnectAsync(Stand.MqttPort, "fc-pub-exempt");
        var publishing = publisher.PublishAsync("lab/fc/exempt", 3 * Limit);
        await SettledAsync(() => subscriber.Received.Count);
        Assert.False(publishing.IsCompleted, "the operator's publishes were not held");
        var before = subscriber.Received.Count;

        // A sensor box's readings feed the interlocks: never held. mosquitto_pub exits 0 only once each is acknowledged.
        var box = await ProcessRunner.RunAsync("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", Stand.MqttPort.ToString(), .. Mosquitto.Auth("fcbox", FlowControlFixture.Password),
             "-i", "fcbox-1", "-q", "1", "-t", "fcbox/t", "-l"], string.Join('\n', Enumerable.Range(1, 2 * Limit)));
        Assert.Equal(0, box.ExitCode);
        await Eventually.True(() => subscriber.Received.Count(m => m.StartsWith("fcbox/t ")) == 2 * Limit, "the box's 40 readings delivered");
        // The stand's heartbeat (every 5 s) still reaches the held subscriber.
        await Eventually.True(() => subscriber.Received.Skip(before).Any(m => m.StartsWith("dcs/heartbeat ")), "a heartbeat while held", seconds: 15);
        Assert.False(publishing.IsCompleted, "the operator's publishes were let through by the exempt ones");

        await subscriber.CatchUpAsync();
        await publishing.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_subscriber_that_acknowledges_nothing_holds_publishers_once_for_the_longest_wait_and_then_not_at_all()
    {
        await using var subscriber = await HeldSubscriber.ConnectAsync(Stand.MqttPort, "fc-stalled", "lab/fc/stalled");
        await using var publisher = await Publisher.ConnectAsync(Stand.MqttPort, "fc-pub-stalled");
        var clock = Stopwatch.StartNew();
        await publisher.PublishAsync("lab/fc/stalled", 3 * Limit).WaitAsync(TimeSpan.FromSeconds(60));
        // One wait of the longest, not one per message (that would be 40 × 10 s).
        Assert.InRange(clock.Elapsed, FlowControlFixture.MaxWait * 0.9, FlowControlFixture.MaxWait * 3);
        await Eventually.True(() => subscriber.Received.Count == 3 * Limit, "all 60 delivered");
        Assert.Single(Stand.Log.Split('\n'), l => l.Contains("MQTT client 'fc-stalled'") && l.Contains("acknowledged nothing for"));

        // Not waited for again: the next publishes are acknowledged without the wait.
        clock.Restart();
        await publisher.PublishAsync("lab/fc/stalled", Limit).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(clock.Elapsed < FlowControlFixture.MaxWait, $"the second batch took {clock.Elapsed}: it waited for the stalled subscriber again");
    }
}
