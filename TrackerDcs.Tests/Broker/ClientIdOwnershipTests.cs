using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Broker;

/// <summary>A client id belongs to the user holding it; private/&lt;user&gt;/ is that user's inbox.</summary>
[Collection("Stand")]
public sealed class ClientIdOwnershipTests(StandFixture fixture)
{
    private StandProcess Stand => fixture.Stand;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("mqttv311", 5)]   // 3.1.1: not authorized
    [InlineData("mqttv5", 135)]   // 5: 0x87 Not authorized
    public async Task Another_users_connect_with_a_held_client_id_is_refused_and_the_holder_keeps_its_session(string version, int code)
    {
        var id = $"olivia-console-{version}";
        await using var holder = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Operator, ["lab/ownership/#"], "-i", id, "-c", "-q", "1", "-V", version);

        var thief = await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Viewer, "-i", id, "-V", version, "-t", "lab/ownership/x", "-m", "1"]);
        Assert.Equal(code, thief.ExitCode);
        // The console logger writes from its own queue: the line may reach the pipe after the client has its answer.
        await Eventually.True(() => Stand.Log.Contains($"client id '{id}' is held by another user"), "the log line of the refused client id");

        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-q", "1", "-t", "lab/ownership/after", "-m", "still mine"]);
        Assert.Equal("still mine", await holder.NextOnAsync("lab/ownership/after", Wait));
    }

    [Fact]
    public async Task The_same_user_may_take_over_its_own_client_id()
    {
        await using var first = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Operator, ["lab/ownership/own"], "-i", "olivia-laptop");
        var second = await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-i", "olivia-laptop", "-t", "lab/ownership/own", "-m", "1"]);
        Assert.Equal(0, second.ExitCode);
    }

    [Fact]
    public async Task The_private_inbox_is_per_user_whatever_client_id_a_reader_chooses()
    {
        // The viewer names its client after the operator: that must not open the operator's inbox.
        await using var sub = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Viewer, ["private/#"], "-i", "olivia");
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-q", "1", "-t", "private/olivia/secret", "-m", "for olivia"]);
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-q", "1", "-t", "private/victor/note", "-m", "for victor"]);
        Assert.Equal("private/victor/note for victor", await sub.NextAsync(Wait));
    }

    [Fact]
    public async Task Subscribing_to_another_users_inbox_by_name_is_refused()
    {
        var sub = await Mosquitto.SubAsync(Stand.MqttPort, [.. fixture.Viewer, "-V", "mqttv5", "-t", "private/olivia/#", "-C", "1", "-W", "5"]);
        Assert.Contains("denied", sub.Stderr + sub.Stdout, StringComparison.OrdinalIgnoreCase);
    }
}
