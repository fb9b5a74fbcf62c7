using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrackerDcs.Tests.Support;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Site;

/// <summary>
/// The real stand process (simulated hardware) with its site uplink to the real 3-node RabbitMQ cluster: what the site
/// sees of the stand, the site's commands through the stand's own bus, and a node lost under load. The site's side is
/// Mosquitto's clients with the site's account.
/// </summary>
[Collection("Site cluster")]
public sealed partial class SiteUplinkTests(SiteClusterFixture site, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Stand = "a";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private StandProcess _stand = null!;
    /// <summary>
    /// The site's subscriber, on the last node (the uplink starts on the first), there before the stand starts: latest
    /// values are sent once on change (the crate's status may not change for minutes), so a later subscriber could miss them.
    /// </summary>
    private MosquittoSubscriber _site = null!;
    private RabbitMqCluster.Node _siteNode = null!;

    public async Task InitializeAsync()
    {
        _siteNode = site.Cluster.Nodes[^1];
        _site = await SiteSubscriberAsync(_siteNode);
        var settings = new Dictionary<string, string>
        {
            ["Site:Stand"] = Stand,
            ["Site:User"] = SiteClusterFixture.StandUser(Stand),
            ["Site:Password"] = SiteClusterFixture.StandPassword(Stand),
            ["Site:AlarmAfter"] = "00:00:10",
            ["Sensors:Simulated"] = "true",
            ["Sensors:SimulatedPeriod"] = "00:00:00.500",
            ["Alarms:DewPointMarginMin"] = "3",
        };
        var i = 0;
        foreach (var endpoint in site.Cluster.MqttEndpoints) settings[$"Site:Brokers:{i++}"] = endpoint;
        _stand = new StandProcess(settings);
        await _stand.StartAsync();
    }

    public async Task DisposeAsync()
    {
        // What the uplink said, for whoever reads a failure.
        foreach (var line in _stand.Log.Split('\n').Where(l => l.Contains("Site uplink", StringComparison.Ordinal) || l.Contains("site", StringComparison.OrdinalIgnoreCase)).TakeLast(40))
            output.WriteLine(line);
        await _stand.DisposeAsync();
        await _site.DisposeAsync();
        // A test that killed a node leaves the cluster whole for the next one.
        foreach (var node in site.Cluster.Nodes.Where(n => !site.Cluster.IsRunning(n))) await site.Cluster.RestartAsync(node);
    }

    private Task<MosquittoSubscriber> SiteSubscriberAsync(RabbitMqCluster.Node node) =>
        MosquittoSubscriber.StartOnLiveMarkerAsync(node.MqttPort, site.SiteAuth, [$"site/{Stand}/#"],
            node.MqttPort, SiteClusterFixture.StandAuth(Stand), $"site/{Stand}/test/marker", "-q", "1");

    private async Task SiteCommandAsync(RabbitMqCluster.Node node, string topic, string envelope)
    {
        var published = await Mosquitto.PubAsync(node.MqttPort, [.. site.SiteAuth, "-q", "1", "-t", $"site/{Stand}/{topic}", "-m", envelope]);
        Assert.True(published.ExitCode == 0, $"the site's publish to {topic} failed: {published}");
    }

    private async Task<List<JsonElement>> AuditAsync(string user) =>
        [.. JsonDocument.Parse(await _stand.GetAsAdminAsync("/api/audit?limit=1000")).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("user").GetString() == user).Reverse()];

    [Fact]
    public async Task The_stands_status_reaches_a_site_subscriber_on_another_node()
    {
        var subscriber = _site;
        // The crate's status as it changes: DISCONNECTED at the start, then LV_OFF once the simulated crate is reached.
        var status = await subscriber.WaitOnAsync($"site/{Stand}/dcs/status", s => s.Contains("\"LV_OFF\""), Wait, "the crate's status LV_OFF");
        Assert.Equal("LV_OFF", JsonDocument.Parse(status).RootElement.GetProperty("fsm_state").GetString());
        await subscriber.WaitOnAsync($"site/{Stand}/julabo/status", _ => true, Wait, "the chiller's status");
        var beat = await subscriber.WaitOnAsync($"site/{Stand}/dcs/heartbeat", _ => true, Wait, "the heartbeat");
        Assert.Equal("online", JsonDocument.Parse(beat).RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_site_operators_lv_on_switches_lv_and_is_audited_on_the_stand_as_site_user()
    {
        var node = _siteNode;
        var subscriber = _site;
        await subscriber.WaitOnAsync($"site/{Stand}/dcs/status", s => s.Contains("\"LV_OFF\""), Wait, "LV off before the command");

        await SiteCommandAsync(node, "dcs/cmd/switch/lv", """{"user":"oscar","payload":"on"}""");

        var reply = JsonDocument.Parse(await subscriber.WaitOnAsync($"site/{Stand}/dcs/reply", r => r.Contains("switch/lv"), Wait, "the reply")).RootElement;
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        await subscriber.WaitOnAsync($"site/{Stand}/dcs/status", s => s.Contains("\"LV_ON\""), Wait, "LV on at the site");
        var audit = Assert.Single(await AuditAsync("site:oscar"));
        Assert.Equal(("dcs/cmd/switch/lv", "on", "site", true),
            (audit.GetProperty("topic").GetString(), audit.GetProperty("payload").GetString(), audit.GetProperty("origin").GetString(), audit.GetProperty("ok").GetBoolean()));
    }

    [Fact]
    public async Task A_refusal_comes_back_to_the_site_with_its_reason()
    {
        var node = _siteNode;
        var subscriber = _site;

        await SiteCommandAsync(node, "dcs/cmd/switch/lv", """{"user":"oscar","payload":"maybe"}""");
        var refused = JsonDocument.Parse(await subscriber.WaitOnAsync($"site/{Stand}/dcs/reply", _ => true, Wait, "the refusal")).RootElement;
        Assert.False(refused.GetProperty("ok").GetBoolean());
        Assert.Contains("payload 'maybe' is neither on nor off", refused.GetProperty("error").GetString());

        // A site operator whose site role is viewer is refused by the stand's own role check.
        await SiteCommandAsync(node, "dcs/cmd/switch/lv", """{"user":"vera","role":"viewer","payload":"on"}""");
        var role = JsonDocument.Parse(await subscriber.WaitOnAsync($"site/{Stand}/dcs/reply", _ => true, Wait, "the role refusal")).RootElement;
        Assert.Contains("role viewer may not send", role.GetProperty("error").GetString());

        // An envelope without a user is refused naming what is missing; nothing runs.
        await SiteCommandAsync(node, "dcs/cmd/switch/lv", "on");
        var envelope = JsonDocument.Parse(await subscriber.WaitOnAsync($"site/{Stand}/dcs/reply", _ => true, Wait, "the envelope refusal")).RootElement;
        Assert.Contains("not JSON", envelope.GetProperty("error").GetString());
        Assert.All(await AuditAsync("site:oscar"), e => Assert.False(e.GetProperty("ok").GetBoolean()));
        var status = await subscriber.WaitOnAsync($"site/{Stand}/dcs/status", _ => true, Wait, "the status");
        Assert.DoesNotContain("\"LV_ON\"", status);
    }

    [Fact]
    public async Task Killing_the_uplinks_node_under_load_hands_over_within_5_s_and_loses_no_alarm_event_nor_reply()
    {
        var connected = await ConnectedNodeAsync();
        var watched = _siteNode;
        var atSite = _site;
        Assert.NotEqual(connected, watched);
        output.WriteLine($"uplink on {connected.Name}, site subscriber on {watched.Name}");
        await using var atStand = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["alarms/events"]);

        using var stop = new CancellationTokenSource();
        // Alarm events: humid air raises environment.dewpoint, dry air clears it, about once a second each.
        var alarms = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && i < 200; i++)
            {
                await _stand.PostAsAdminAsync($"/api/simulator/sensors/dewpoint?celsius={(i % 2 == 0 ? 21 : 7)}");
                await Task.Delay(1000);
            }
        });
        // Replies: the site's commands, each refused quoting its own payload, so every reply names its command.
        var sent = 0;
        var commands = Task.Run(async () =>
        {
            for (; !stop.IsCancellationRequested && sent < 500; sent++)
            {
                await Mosquitto.PubAsync(watched.MqttPort, [.. site.SiteAuth, "-q", "1", "-t", $"site/{Stand}/dcs/cmd/setv/hv/0", "-m", $$"""{"user":"oscar","payload":"x{{sent}}"}"""]);
                await Task.Delay(200);
            }
        });

        TimeSpan failover;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            var connectionsBefore = Connections().Count;
            var clock = Stopwatch.StartNew();
            await site.Cluster.KillAsync(connected);
            var killed = clock.Elapsed;
            await Eventually.True(() => Connections().Count > connectionsBefore, "the uplink connected to another node", 30);
            failover = clock.Elapsed;
            output.WriteLine($"node killed in {killed.TotalSeconds:0.00} s; uplink on {Connections()[^1]} {failover.TotalSeconds:0.00} s after the kill");
            Assert.NotEqual($"127.0.0.1:{connected.MqttPort}", Connections()[^1]);
            await Task.Delay(TimeSpan.FromSeconds(6));
        }
        finally
        {
            // The load ends with the test, whatever happened: it must not reach the next test's stand.
            stop.Cancel();
            await Task.WhenAll(alarms, commands);
        }
        await Task.Delay(TimeSpan.FromSeconds(5));

        // Every alarm event the stand published is at the site (at least once).
        var standEvents = await DrainAsync(atStand, "alarms/events");
        var siteLines = await DrainAsync(atSite, null);
        var siteEvents = siteLines.Where(l => l.StartsWith($"site/{Stand}/alarms/events ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(' ') + 1)..]).ToHashSet();
        Assert.True(standEvents.Count >= 4, $"only {standEvents.Count} alarm events were raised on the stand");
        Assert.DoesNotContain(standEvents, e => !siteEvents.Contains(e));
        // Every command the stand ran (its audit) is answered at the site.
        var ran = (await AuditAsync("site:oscar")).Select(e => e.GetProperty("payload").GetString()!).ToList();
        var answered = siteLines.Where(l => l.StartsWith($"site/{Stand}/dcs/reply ", StringComparison.Ordinal))
            .Select(l => PayloadQuoted().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
        output.WriteLine($"{standEvents.Count} alarm events, {sent} commands sent, {ran.Count} ran on the stand, {answered.Count} answered at the site");
        Assert.True(ran.Count >= 20, $"only {ran.Count} site commands ran");
        Assert.DoesNotContain(ran, p => !answered.Contains(p));
        Assert.True(failover < TimeSpan.FromSeconds(5), $"the uplink took {failover.TotalSeconds:0.0} s to hand over");
    }

    /// <summary>The nodes the uplink connected to so far, from its log lines, oldest first.</summary>
    private List<string> Connections() => [.. ConnectedLine().Matches(_stand.Log).Select(m => m.Groups[1].Value)];

    private async Task<RabbitMqCluster.Node> ConnectedNodeAsync()
    {
        await Eventually.True(() => Connections().Count > 0, "the uplink connected", 30);
        var endpoint = Connections()[^1];
        return site.Cluster.Nodes.Single(n => $"127.0.0.1:{n.MqttPort}" == endpoint);
    }

    /// <summary>Every line the subscriber has so far (on <paramref name="topic"/>: their payloads), without waiting for more.</summary>
    private static async Task<List<string>> DrainAsync(MosquittoSubscriber subscriber, string? topic)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = topic is null ? await subscriber.NextAsync(TimeSpan.FromMilliseconds(200)) : await subscriber.NextOnAsync(topic, TimeSpan.FromMilliseconds(200));
            if (line is null) return lines;
            lines.Add(line);
        }
    }

    [GeneratedRegex(@"Site uplink: connected to node (\S+)")]
    private static partial Regex ConnectedLine();

    [GeneratedRegex(@"payload '(x\d+)'")]
    private static partial Regex PayloadQuoted();
}
