using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Broker;

/// <summary>
/// MQTT 5 request/response: the command bus answers on the requester's response topic only where the
/// requester could itself subscribe and publish, outside every device root and +/cmd/#; else on &lt;device&gt;/reply.
/// </summary>
[Collection("Stand")]
public sealed class ResponseTopicTests(StandFixture fixture)
{
    private StandProcess Stand => fixture.Stand;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("dcs/status")]
    [InlineData("julabo/status")]
    [InlineData("alarms/active")]
    [InlineData("ph2acf/status")]
    [InlineData("dcs/channels/0")]
    [InlineData("julabo/cmd/stop")]
    [InlineData("private/olivia/replies")] // another user's inbox
    [InlineData("lab/replies/victor")]     // a viewer may read there but not publish
    public async Task A_viewers_refusal_never_goes_to_a_topic_the_viewer_could_not_publish(string responseTopic)
    {
        await using var sub = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Admin, [responseTopic, "julabo/reply"]);
        await PublishCommandAsync(fixture.Viewer, "julabo/cmd/start", responseTopic);
        var reply = await sub.WaitOnAsync("julabo/reply", r => r.Contains("\"topic\":\"julabo/cmd/start\""), Wait, "the refusal");
        Assert.Contains("may not send commands", reply);
        // The console logger writes from its own queue: the line may reach the pipe after the reply has gone out.
        await Eventually.True(() => Stand.Log.Contains($"response topic '{responseTopic}' refused"), "the log line of the refused response topic");
    }

    [Theory]
    [InlineData("julabo/status")]
    [InlineData("dcs/cmd/switch/lv")]
    [InlineData("lab/+/replies")]
    public async Task An_operators_reply_never_goes_to_a_reserved_command_or_wildcard_topic(string responseTopic)
    {
        await using var sub = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Admin, ["julabo/reply"]);
        await PublishCommandAsync(fixture.Operator, "julabo/cmd/nonsense", responseTopic);
        var reply = await sub.WaitOnAsync("julabo/reply", r => r.Contains("\"topic\":\"julabo/cmd/nonsense\""), Wait, "the answer");
        Assert.Contains("unknown command topic", reply);
    }

    [Theory]
    [InlineData("viewer", "private/victor/replies")]
    [InlineData("operator", "private/olivia/replies")]
    [InlineData("operator", "lab/replies/olivia")]
    public async Task A_reply_goes_to_the_requesters_own_inbox_or_a_topic_it_may_publish(string who, string responseTopic)
    {
        var auth = who == "viewer" ? fixture.Viewer : fixture.Operator;
        await using var sub = await MosquittoSubscriber.StartAsync(Stand.MqttPort, auth, [responseTopic]);
        await PublishCommandAsync(auth, "julabo/cmd/nonsense", responseTopic);
        var reply = await sub.WaitOnAsync(responseTopic, r => r.Contains("\"topic\":\"julabo/cmd/nonsense\""), Wait, "the reply");
        Assert.Contains("\"ok\":false", reply);
    }

    private async Task PublishCommandAsync(string[] auth, string topic, string responseTopic)
    {
        var pub = await Mosquitto.PubAsync(Stand.MqttPort, [.. auth, "-V", "mqttv5", "-q", "1", "-t", topic, "-m", "{}",
            "-D", "publish", "response-topic", responseTopic, "-D", "publish", "correlation-data", "req-1"]);
        Assert.True(pub.ExitCode == 0, pub.ToString());
    }
}
