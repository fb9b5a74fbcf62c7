using Xunit.Abstractions;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Site;

/// <summary>The cluster itself and its accounts' topic permissions, with Mosquitto's clients as the MQTT peers.</summary>
[Collection("Site cluster")]
public sealed class RabbitMqClusterTests(SiteClusterFixture site, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_message_published_on_one_node_reaches_a_subscriber_on_another()
    {
        output.WriteLine($"cluster of {site.Cluster.Nodes.Count} started in {site.Cluster.StartTime.TotalSeconds:0.0} s");
        var first = site.Cluster.Nodes[0];
        var last = site.Cluster.Nodes[^1];
        await using var subscriber = await MosquittoSubscriber.StartOnLiveMarkerAsync(last.MqttPort, site.SiteAuth, ["site/a/#"],
            first.MqttPort, SiteClusterFixture.StandAuth("a"), "site/a/test/marker", "-q", "1");
        var published = await Mosquitto.PubAsync(first.MqttPort, [.. SiteClusterFixture.StandAuth("a"), "-q", "1", "-t", "site/a/dcs/status", "-m", "{\"state\":\"LV_OFF\"}"]);
        Assert.Equal(0, published.ExitCode);
        Assert.Equal("{\"state\":\"LV_OFF\"}", await subscriber.NextOnAsync("site/a/dcs/status", Wait));
    }

    [Fact]
    public async Task A_stand_account_publishing_under_another_stands_prefix_is_refused_by_rabbitmq()
    {
        var node = site.Cluster.Nodes[1];
        await using var subscriber = await MosquittoSubscriber.StartOnLiveMarkerAsync(node.MqttPort, site.SiteAuth, ["site/b/#"],
            node.MqttPort, SiteClusterFixture.StandAuth("b"), "site/b/test/marker", "-q", "1");

        var forged = await Mosquitto.PubAsync(node.MqttPort, [.. SiteClusterFixture.StandAuth("a"), "-q", "1", "-t", "site/b/dcs/status", "-m", "forged by a"]);
        var own = await Mosquitto.PubAsync(node.MqttPort, [.. SiteClusterFixture.StandAuth("b"), "-q", "1", "-t", "site/b/dcs/status", "-m", "from b"]);
        output.WriteLine($"forged publish: {forged}");

        Assert.Equal(0, own.ExitCode);
        // The stand's own message arrives; the forged one, sent before it on the same node, never does.
        Assert.Equal("from b", await subscriber.NextOnAsync("site/b/dcs/status", Wait));
        Assert.Null(await subscriber.NextOnAsync("site/b/dcs/status", TimeSpan.FromSeconds(2)));
        // A stand cannot send commands to another stand, nor to itself: only the site's account may.
        var command = await Mosquitto.PubAsync(node.MqttPort, [.. SiteClusterFixture.StandAuth("a"), "-q", "1", "-t", "site/b/dcs/cmd/switch/lv", "-m", "{\"user\":\"mallory\",\"payload\":\"on\"}"]);
        var ownCommand = await Mosquitto.PubAsync(node.MqttPort, [.. SiteClusterFixture.StandAuth("b"), "-q", "1", "-t", "site/b/dcs/cmd/switch/lv", "-m", "{\"user\":\"mallory\",\"payload\":\"on\"}"]);
        output.WriteLine($"forged command: {command}\nown command: {ownCommand}");
        Assert.Null(await subscriber.NextOnAsync("site/b/dcs/cmd/switch/lv", TimeSpan.FromSeconds(2)));
    }
}
