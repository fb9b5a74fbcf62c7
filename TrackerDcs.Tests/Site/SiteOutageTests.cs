using System.Text.Json;
using TrackerDcs.Tests.Support;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Site;

/// <summary>
/// A stand whose only site node goes away (rabbitmqctl stop_app: its listeners close, the rest of the cluster runs on):
/// the stand raises the minor alarm, keeps its events on disk, and sends them in order when the node is back.
/// </summary>
[Collection("Site cluster")]
public sealed class SiteOutageTests(SiteClusterFixture site, ITestOutputHelper output)
{
    private const string Stand = "b";
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    [Fact]
    public async Task While_its_node_is_away_the_stand_raises_a_minor_alarm_and_its_events_arrive_in_order_on_return()
    {
        var only = site.Cluster.Nodes[1];
        var watch = site.Cluster.Nodes[2];
        await using var atSite = await MosquittoSubscriber.StartOnLiveMarkerAsync(watch.MqttPort, site.SiteAuth, [$"site/{Stand}/alarms/events"],
            watch.MqttPort, SiteClusterFixture.StandAuth(Stand), $"site/{Stand}/test/marker", "-q", "1");
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Site:Brokers:0"] = $"127.0.0.1:{only.MqttPort}",
            ["Site:Stand"] = Stand,
            ["Site:User"] = SiteClusterFixture.StandUser(Stand),
            ["Site:Password"] = SiteClusterFixture.StandPassword(Stand),
            ["Site:AlarmAfter"] = "00:00:02",
            ["Sensors:Simulated"] = "true",
            ["Sensors:SimulatedPeriod"] = "00:00:00.500",
            ["Alarms:DewPointMarginMin"] = "3",
        });
        await stand.StartAsync();
        await Eventually.True(() => stand.Log.Contains("Site uplink: connected to node"), "the uplink connected", 30);
        await using var atStand = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["alarms/events", "alarms/active"]);

        await site.Cluster.CtlAsync(only, "stop_app");
        var queuedOnDisk = 0;
        try
        {
            var active = await atStand.WaitOnAsync("alarms/active", a => a.Contains("site.unreachable"), TimeSpan.FromSeconds(30), "site.unreachable");
            var alarm = JsonDocument.Parse(active).RootElement.EnumerateArray().Single(a => a.GetProperty("key").GetString()!.StartsWith("site.unreachable", StringComparison.Ordinal));
            Assert.Equal("warning", alarm.GetProperty("severity").GetString());
            // Alarm events while the site is away: humid air raises environment.dewpoint, dry air clears it.
            for (var i = 0; i < 6; i++)
            {
                await stand.PostAsAdminAsync($"/api/simulator/sensors/dewpoint?celsius={(i % 2 == 0 ? 21 : 7)}");
                await Task.Delay(1500);
            }
            queuedOnDisk = File.ReadAllLines(Path.Combine(stand.DataDirectory, "site-outbox.jsonl")).Length;
        }
        finally
        {
            await site.Cluster.CtlAsync(only, "start_app");
        }
        // The stand did its work meanwhile: its own alarms came and went, and it never stopped.
        Assert.True(stand.IsRunning);
        await atStand.WaitOnAsync("alarms/active", a => !a.Contains("site.unreachable") || a.Contains("\"cleared\""), TimeSpan.FromSeconds(60), "site.unreachable over");
        await Task.Delay(TimeSpan.FromSeconds(3));

        var local = new List<string>();
        while (await atStand.NextOnAsync("alarms/events", TimeSpan.FromMilliseconds(300)) is { } e) local.Add(e);
        var atSiteEvents = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !local.All(atSiteEvents.Contains))
            if (await atSite.NextOnAsync($"site/{Stand}/alarms/events", TimeSpan.FromSeconds(1)) is { } e) atSiteEvents.Add(e);
        output.WriteLine($"{queuedOnDisk} events on disk while away; {local.Count} alarm events on the stand, {atSiteEvents.Count} at the site");

        Assert.True(queuedOnDisk >= 3, $"only {queuedOnDisk} events were queued on disk while the site was away");
        Assert.True(local.Count >= 4, $"only {local.Count} alarm events on the stand");
        Assert.DoesNotContain(local, e => !atSiteEvents.Contains(e));
        // In order: the site's events, each kept at its first arrival (delivery is at least once), are the stand's.
        Assert.Equal(local, atSiteEvents.Distinct().Where(local.Contains).ToList());
    }
}
