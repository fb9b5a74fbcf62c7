using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Broker;

/// <summary>A stand whose device accounts have small quotas, set per role in the settings, and one device account per test.</summary>
public sealed class QuotaFixture : IAsyncLifetime
{
    public const int MaxRetainedMessages = 5;
    public const int MaxRetainedMessageBytes = 1024;
    public const int MaxSubscriptions = 3;
    /// <summary>Above the retained count: a subscription's retained messages are queued at once like any others.</summary>
    public const int MaxPendingMessages = 8;
    public const string Password = "box-password";

    public StandProcess Stand { get; } = new(new Dictionary<string, string>
    {
        ["Broker:Quotas:Device:MaxRetainedMessages"] = MaxRetainedMessages.ToString(),
        ["Broker:Quotas:Device:MaxRetainedMessageBytes"] = MaxRetainedMessageBytes.ToString(),
        ["Broker:Quotas:Device:MaxSubscriptions"] = MaxSubscriptions.ToString(),
        ["Broker:Quotas:Device:MaxPendingMessages"] = MaxPendingMessages.ToString(),
    });

    public async Task InitializeAsync()
    {
        await Stand.StartAsync();
        foreach (var box in new[] { "box5", "box3", "boxbig", "boxsub", "boxaway" })
            await Stand.AddUserAsync(box, "device", Password, box + "/");
    }

    public async Task DisposeAsync() => await Stand.DisposeAsync();
}

/// <summary>Per-account quotas on retained messages, subscriptions and queued messages (issue 15, finding 6), with mosquitto's clients.</summary>
public sealed class QuotaTests(QuotaFixture fixture) : IClassFixture<QuotaFixture>
{
    private StandProcess Stand => fixture.Stand;
    /// <summary>An MQTT 5 PUBACK of success: 0, or 0x10 "no matching subscribers" (nobody listens yet; still accepted).</summary>
    private const string Accepted = @"received PUBACK \(Mid: \d+, RC:(0|16)\)";
    private static string[] Box(string name) => Mosquitto.Auth(name, QuotaFixture.Password);

    private async Task<List<string>> RetainedAsync(string box)
    {
        // -W ends the wait: the retained messages arrive at once; whatever is there by then is all there is.
        var sub = await Mosquitto.SubAsync(Stand.MqttPort, [.. Box(box), "-t", box + "/#", "-v", "-W", "3"]);
        return [.. sub.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order()];
    }

    [Fact]
    public async Task Mqtt5_a_retained_message_beyond_the_accounts_count_is_refused_with_quota_exceeded()
    {
        for (var i = 1; i <= QuotaFixture.MaxRetainedMessages; i++)
        {
            var ok = await Mosquitto.PubAsync(Stand.MqttPort, [.. Box("box5"), "-V", "mqttv5", "-q", "1", "-r", "-t", $"box5/t{i}", "-m", $"{i}", "-d"]);
            Assert.Matches(Accepted, ok.Stdout);
        }
        var over = await Mosquitto.PubAsync(Stand.MqttPort, [.. Box("box5"), "-V", "mqttv5", "-q", "1", "-r", "-t", "box5/t6", "-m", "6", "-d"]);
        Assert.Contains("RC:151)", over.Stdout); // 0x97 quota exceeded
        // Replacing one of its own is still allowed.
        var replace = await Mosquitto.PubAsync(Stand.MqttPort, [.. Box("box5"), "-V", "mqttv5", "-q", "1", "-r", "-t", "box5/t1", "-m", "again", "-d"]);
        Assert.Matches(Accepted, replace.Stdout);

        Assert.Equal(["box5/t1 again", "box5/t2 2", "box5/t3 3", "box5/t4 4", "box5/t5 5"], await RetainedAsync("box5"));
    }

    [Fact]
    public async Task Mqtt311_a_retained_message_beyond_the_count_is_delivered_but_not_retained_and_logged_once()
    {
        for (var i = 1; i <= QuotaFixture.MaxRetainedMessages; i++)
            Assert.Equal(0, (await Mosquitto.PubAsync(Stand.MqttPort, [.. Box("box3"), "-q", "1", "-r", "-t", $"box3/t{i}", "-m", $"{i}"])).ExitCode);

        await using var live = await MosquittoSubscriber.StartOnRetainedAsync(Stand.MqttPort, Box("box3"), ["box3/#"], "box3/t1");
        // One client, three refused retained publishes: acknowledged (3.1.1 cannot say otherwise), delivered live, one log line.
        var over = await ProcessRunner.RunAsync("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", Stand.MqttPort.ToString(), .. Box("box3"), "-i", "box3-over", "-q", "1", "-r", "-t", "box3/extra", "-l"], "x\ny\nz");
        Assert.Equal(0, over.ExitCode);
        Assert.Equal("x", await live.NextOnAsync("box3/extra", TimeSpan.FromSeconds(10)));

        Assert.DoesNotContain(await RetainedAsync("box3"), line => line.StartsWith("box3/extra"));
        await Eventually.True(() => Stand.Log.Contains("client box3-over"), "the log line of the refusal");
        Assert.Equal(1, Stand.Log.Split('\n').Count(l => l.Contains("client box3-over") && l.Contains("not retained")));
    }

    [Fact]
    public async Task A_retained_message_larger_than_the_accounts_size_is_refused_and_leaves_nothing_retained()
    {
        var big = new string('x', QuotaFixture.MaxRetainedMessageBytes + 1);
        var over = await Mosquitto.PubAsync(Stand.MqttPort, [.. Box("boxbig"), "-V", "mqttv5", "-q", "1", "-r", "-t", "boxbig/blob", "-m", big, "-d"]);
        Assert.Contains("RC:151)", over.Stdout);
        var fits = await Mosquitto.PubAsync(Stand.MqttPort, [.. Box("boxbig"), "-V", "mqttv5", "-q", "1", "-r", "-t", "boxbig/small", "-m", "ok", "-d"]);
        Assert.Matches(Accepted, fits.Stdout);
        Assert.Equal(["boxbig/small ok"], await RetainedAsync("boxbig"));
    }

    [Fact]
    public async Task A_subscription_beyond_the_connections_count_is_refused()
    {
        string[] filters = ["boxsub/a", "boxsub/b", "boxsub/c", "boxsub/d"];
        var sub = await Mosquitto.SubAsync(Stand.MqttPort, [.. Box("boxsub"), "-V", "mqttv5", "-d", .. filters.SelectMany(f => new[] { "-t", f }), "-W", "2"]);
        // mosquitto_sub -d prints the granted QoS of each filter in order; 0x97 (151) is quota exceeded.
        Assert.Contains("SUBACK", sub.Stdout);
        Assert.Matches(@"Subscribed \(mid: \d+\): 0, 0, 0, 151", sub.Stdout);
    }

    [Fact]
    public async Task Messages_queued_for_an_absent_client_stop_at_its_roles_limit_and_are_logged_once()
    {
        // A device account's persistent session (3.1.1, clean session 0) subscribes and goes away.
        string[] session = [.. Box("boxaway"), "-i", "boxaway-listener", "-c", "-q", "1", "-t", "boxaway/in", "-v"];
        await Mosquitto.SubAsync(Stand.MqttPort, [.. session, "-W", "1"]);
        // Acknowledged QoS 1 messages for it, more than its role may have queued.
        var sent = Enumerable.Range(1, QuotaFixture.MaxPendingMessages + 4).Select(i => i.ToString()).ToList();
        var pub = await ProcessRunner.RunAsync("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", Stand.MqttPort.ToString(), .. Box("boxaway"), "-i", "boxaway-sender", "-q", "1", "-t", "boxaway/in", "-l"],
            string.Join('\n', sent) + "\n");
        Assert.Equal(0, pub.ExitCode);

        // Back: the oldest were kept in order, the later ones not queued.
        var back = await Mosquitto.SubAsync(Stand.MqttPort, [.. session, "-W", "3"]);
        Assert.Equal(sent.Take(QuotaFixture.MaxPendingMessages).Select(m => "boxaway/in " + m), back.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        await Eventually.True(() => Stand.Log.Contains("client 'boxaway-listener'"), "the log line of the full queue");
        Assert.Equal(1, Stand.Log.Split('\n').Count(l => l.Contains("client 'boxaway-listener'") && l.Contains("MaxPendingMessages")));
    }
}
