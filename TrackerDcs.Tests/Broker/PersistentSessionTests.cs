using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Broker;

/// <summary>A stand whose persistent sessions expire soon and hold few queued messages, so both limits are cheap to reach.</summary>
public sealed class PersistentSessionFixture : IAsyncLifetime
{
    public const int MaxPending = 10;
    /// <summary>Long enough for a test to disconnect, publish and come back; short enough to wait out in the expiry tests.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(8);

    public StandProcess Stand { get; } = new(new Dictionary<string, string>
    {
        ["Broker:MaxPendingMessagesPerClient"] = MaxPending.ToString(),
        ["Broker:PersistentSessionExpiry"] = Expiry.ToString(),
    });

    public Task InitializeAsync() => Stand.StartAsync();
    public async Task DisposeAsync() => await Stand.DisposeAsync();
}

/// <summary>
/// Persistent sessions (issue 15, finding 4): a client that connects without a clean session (3.1.1) or with a session
/// expiry (5) finds its subscriptions and the QoS 1 messages queued while it was away. The subscriber is MQTTnet's
/// client (it reports the CONNACK's session-present flag, which mosquitto_sub does not print); the publisher is mosquitto_pub.
/// </summary>
public sealed class PersistentSessionTests(PersistentSessionFixture fixture) : IClassFixture<PersistentSessionFixture>
{
    private StandProcess Stand => fixture.Stand;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    /// <summary>A subscriber client and what it has received, in order.</summary>
    private sealed class Subscriber : IAsyncDisposable
    {
        public IMqttClient Client { get; } = new MqttClientFactory().CreateMqttClient();
        public Channel<string> Received { get; } = Channel.CreateUnbounded<string>();
        public bool SessionPresent { get; private set; }

        /// <summary>Connects, with the handler attached first: queued messages follow the CONNACK at once.</summary>
        public static async Task<Subscriber> ConnectAsync(int port, string id, MqttProtocolVersion version, bool cleanSession, uint sessionExpiry = 0)
        {
            var subscriber = new Subscriber();
            subscriber.Client.ApplicationMessageReceivedAsync += e =>
            {
                subscriber.Received.Writer.TryWrite(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
                return Task.CompletedTask;
            };
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port)
                .WithClientId(id)
                .WithCredentials("admin", StandProcess.AdminPassword)
                .WithProtocolVersion(version)
                .WithCleanSession(cleanSession)
                .WithSessionExpiryInterval(sessionExpiry)
                .WithTimeout(Wait)
                .Build();
            var result = await subscriber.Client.ConnectAsync(options);
            subscriber.SessionPresent = result.IsSessionPresent;
            return subscriber;
        }

        public async Task SubscribeAsync(string topic) =>
            await Client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        /// <summary>What arrives within <paramref name="quiet"/> of the previous message (or of the call).</summary>
        public async Task<List<string>> DrainAsync(TimeSpan quiet, int atMost = 100)
        {
            var messages = new List<string>();
            while (messages.Count < atMost)
            {
                using var timeout = new CancellationTokenSource(quiet);
                try
                {
                    messages.Add(await Received.Reader.ReadAsync(timeout.Token));
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            return messages;
        }

        public async ValueTask DisposeAsync()
        {
            if (Client.IsConnected) await Client.DisconnectAsync();
            Client.Dispose();
        }
    }

    /// <summary>QoS 1 publishes by mosquitto_pub, one connection, each acknowledged before it exits.</summary>
    private Task PublishAsync(string topic, IEnumerable<string> payloads) => PublishAsync(Stand.MqttPort, topic, payloads);

    /// <summary>mosquitto_pub exits 0 only once it has the PUBACK: each message was acknowledged.</summary>
    private static async Task PublishAsync(int port, string topic, IEnumerable<string> payloads)
    {
        foreach (var payload in payloads)
        {
            var pub = await Mosquitto.PubAsync(port, [.. Mosquitto.Auth("admin", StandProcess.AdminPassword), "-q", "1", "-t", topic, "-m", payload]);
            Assert.Equal(0, pub.ExitCode);
        }
    }

    private static IEnumerable<string> Numbered(int count) => Enumerable.Range(1, count).Select(i => $"m{i}");

    /// <summary>Subscribes with a persistent session, disconnects, has 5 messages published, comes back.</summary>
    private async Task<Subscriber> AwayAndBackAsync(string id, string topic, MqttProtocolVersion version, bool cleanSession, uint expiry, int published = 5)
    {
        await using (var first = await Subscriber.ConnectAsync(Stand.MqttPort, id, version, cleanSession, expiry))
            await first.SubscribeAsync(topic);
        await PublishAsync(topic, Numbered(published));
        return await Subscriber.ConnectAsync(Stand.MqttPort, id, version, cleanSession: false, expiry);
    }

    [Fact]
    public async Task A_311_client_without_clean_session_gets_its_session_and_the_messages_queued_while_away()
    {
        await using var back = await AwayAndBackAsync("sessions-311", "lab/sessions/311", MqttProtocolVersion.V311, cleanSession: false, expiry: 0);
        Assert.True(back.SessionPresent, "CONNACK session present");
        Assert.Equal(Numbered(5), await back.DrainAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task An_mqtt5_client_with_a_session_expiry_gets_its_session_and_the_messages_queued_while_away()
    {
        await using var back = await AwayAndBackAsync("sessions-5", "lab/sessions/5", MqttProtocolVersion.V500, cleanSession: false, expiry: 3600);
        Assert.True(back.SessionPresent, "CONNACK session present");
        Assert.Equal(Numbered(5), await back.DrainAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task An_mqtt5_client_with_session_expiry_0_gets_a_clean_session()
    {
        // [MQTT-3.1.2-23]: with expiry 0 the session ends with the connection.
        await using var back = await AwayAndBackAsync("sessions-5-zero", "lab/sessions/5zero", MqttProtocolVersion.V500, cleanSession: false, expiry: 0);
        Assert.False(back.SessionPresent, "CONNACK session present");
        Assert.Empty(await back.DrainAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Messages_beyond_the_pending_limit_drop_the_oldest_and_are_logged_once()
    {
        const int published = PersistentSessionFixture.MaxPending + 5;
        await using var back = await AwayAndBackAsync("sessions-full", "lab/sessions/full", MqttProtocolVersion.V311, cleanSession: false, expiry: 0, published);
        Assert.True(back.SessionPresent, "CONNACK session present");
        Assert.Equal(Numbered(published).Skip(5), await back.DrainAsync(TimeSpan.FromSeconds(3)));
        await Eventually.True(() => Stand.Log.Contains("queue of client 'sessions-full' is full"), "the log line of the dropped messages");
        Assert.Equal(1, Occurrences(Stand.Log, "queue of client 'sessions-full' is full"));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, 0u)]        // 3.1.1: Broker:PersistentSessionExpiry
    [InlineData(MqttProtocolVersion.V500, 3600u)]     // 5: the client's hour, capped by the setting
    public async Task A_session_whose_client_does_not_come_back_expires(MqttProtocolVersion version, uint expiry)
    {
        var id = $"sessions-expire-{version}";
        var topic = $"lab/sessions/expire/{version}";
        await using (var first = await Subscriber.ConnectAsync(Stand.MqttPort, id, version, cleanSession: false, expiry))
            await first.SubscribeAsync(topic);
        await Eventually.True(() => Stand.Log.Contains($"session of client '{id}' expired"), "the log line of the expired session",
            (PersistentSessionFixture.Expiry * 3).TotalSeconds);
        await PublishAsync(topic, ["after expiry"]);

        await using var back = await Subscriber.ConnectAsync(Stand.MqttPort, id, version, cleanSession: false, expiry);
        Assert.False(back.SessionPresent, "CONNACK session present");
        Assert.Empty(await back.DrainAsync(TimeSpan.FromSeconds(2)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Subscriptions_and_acknowledged_queued_messages_survive_a_restart_and_a_sigkill(bool kill)
    {
        // A stand of its own: it is stopped or killed.
        await using var stand = new StandProcess();
        await stand.StartAsync();
        await stand.AddUserAsync("victor", "viewer", "viewer-password");
        const string id = "sessions-restart", topic = "lab/sessions/restart";
        await using (var first = await Subscriber.ConnectAsync(stand.MqttPort, id, MqttProtocolVersion.V311, cleanSession: false))
            await first.SubscribeAsync(topic);
        await PublishAsync(stand.MqttPort, topic, Numbered(3));

        if (kill) await stand.KillAsync();
        else await stand.StopAsync();
        await stand.StartAsync();
        // The id is still admin's while its session waits on disk: another user is refused it (3.1.1: not authorized, 5).
        var thief = await Mosquitto.PubAsync(stand.MqttPort, [.. Mosquitto.Auth("victor", "viewer-password"), "-i", id, "-t", "lab/sessions/x", "-m", "1"]);
        Assert.Equal(5, thief.ExitCode);
        // Queued for the absent client only if its subscription came back from disk.
        await PublishAsync(stand.MqttPort, topic, ["m4", "m5"]);

        // Session present is 0 here (MQTTnet cannot be handed a session before its client connects; docs/broker.md): the
        // messages and the subscription are what this checks.
        await using var back = await Subscriber.ConnectAsync(stand.MqttPort, id, MqttProtocolVersion.V311, cleanSession: false);
        Assert.Equal(Numbered(5), await back.DrainAsync(TimeSpan.FromSeconds(3)));
        // And the restored subscription is live in the broker: a message published now arrives without subscribing again.
        await PublishAsync(stand.MqttPort, topic, ["m6"]);
        Assert.Equal(["m6"], await back.DrainAsync(TimeSpan.FromSeconds(3)));
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
