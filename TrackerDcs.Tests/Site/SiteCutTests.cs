using System.Diagnostics;
using System.Text.Json;
using TrackerDcs.Tests.Support;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Site;

/// <summary>
/// A stand cut off from the whole cluster for 60 s, as a pulled cable: its uplink reaches every node through a
/// <see cref="TcpProxy"/> that stops passing bytes without closing anything, so the stand notices only by its own
/// keep-alive and connect timeouts. Meanwhile the stand runs its interlocks by itself and a procedure is started and
/// aborted there, and the stand's events (alarm events, procedure statuses) reach the site in order once the cable is back.
/// </summary>
[Collection("Site cluster")]
public sealed class SiteCutTests(SiteClusterFixture site, ITestOutputHelper output)
{
    private const string Stand = "c";
    private static readonly TimeSpan CutFor = TimeSpan.FromSeconds(60);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    /// <summary>The shipped condensation rule: LV and HV off as soon as the dew-point margin is below 1 °C.</summary>
    private const string Rules = """
        interlocks:
          - name: condensation
            when: environment.dewpoint_margin < 1
            hysteresis: 0.5
            actions: [hv_off, lv_off]
            refuse: [dcs/cmd/switch/hv on, dcs/cmd/switch/lv on]
        """;

    /// <summary>A procedure that only waits, with no fatal alarm: the humid air of the cut does not end it, the abort does.</summary>
    private const string LongWait = """
        description: a wait long enough to be aborted
        steps:
          - note: waiting
          - wait: 600
        """;

    [Fact]
    public async Task Cut_off_for_60_s_a_stand_runs_its_interlocks_and_its_queued_events_arrive_in_order_afterwards()
    {
        var proxies = site.Cluster.Nodes.Select(n => new TcpProxy(n.MqttPort)).ToList();
        var watch = site.Cluster.Nodes[^1];
        var directory = Directory.CreateTempSubdirectory("trackerdcs-site-cut-").FullName;
        var rules = Path.Combine(directory, "interlocks.yml");
        await File.WriteAllTextAsync(rules, Rules);
        var procedures = Directory.CreateDirectory(Path.Combine(directory, "procedures")).FullName;
        await File.WriteAllTextAsync(Path.Combine(procedures, "long-wait.yml"), LongWait);
        try
        {
            // The site's side, straight on a node: it sees what the cluster gets, and nothing while the cable is out.
            await using var atSite = await MosquittoSubscriber.StartOnLiveMarkerAsync(watch.MqttPort, site.SiteAuth, [$"site/{Stand}/alarms/events", $"site/{Stand}/dcs/status", $"site/{Stand}/procedures/status"],
                watch.MqttPort, SiteClusterFixture.StandAuth(Stand), $"site/{Stand}/test/marker", "-q", "1");
            var settings = new Dictionary<string, string>
            {
                ["Site:Stand"] = Stand,
                ["Site:User"] = SiteClusterFixture.StandUser(Stand),
                ["Site:Password"] = SiteClusterFixture.StandPassword(Stand),
                ["Site:AlarmAfter"] = "00:00:05",
                ["Interlocks:File"] = rules,
                ["Procedures:Directory"] = procedures,
                ["Sensors:Simulated"] = "true",
                ["Sensors:SimulatedPeriod"] = "00:00:00.500",
                ["Alarms:DewPointMarginMin"] = "3",
            };
            for (var i = 0; i < proxies.Count; i++) settings[$"Site:Brokers:{i}"] = proxies[i].Endpoint;
            await using var stand = new StandProcess(settings, directory);
            await stand.StartAsync();
            await Eventually.True(() => stand.Log.Contains("Site uplink: connected to node"), "the uplink connected", 30);
            await using var atStand = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["alarms/events", "alarms/active", "dcs/status", "dcs/reply", "procedures/status", "procedures/reply"]);
            // Dry air, and LV on: the condensation interlock has something to switch off.
            await stand.PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=7");
            await atStand.WaitOnAsync("dcs/status", s => s.Contains("\"LV_OFF\""), TimeSpan.FromSeconds(30), "LV_OFF before the command");
            var on = await atStand.CommandAsync(stand.MqttPort, Admin, "dcs/cmd/switch/lv", "on", TimeSpan.FromSeconds(30));
            Assert.True(on.GetProperty("ok").GetBoolean(), on.ToString());
            await atStand.WaitOnAsync("dcs/status", s => s.Contains("\"LV_ON\""), TimeSpan.FromSeconds(30), "LV_ON");
            await atSite.WaitOnAsync($"site/{Stand}/dcs/status", s => s.Contains("\"LV_ON\""), TimeSpan.FromSeconds(30), "LV_ON at the site");
            // What the stand raised before the cut is not what this test is about.
            while (await atStand.NextOnAsync("alarms/events", TimeSpan.FromSeconds(1)) is not null) { }
            while (await atStand.NextOnAsync("procedures/status", TimeSpan.FromMilliseconds(300)) is not null) { }

            var clock = Stopwatch.StartNew();
            foreach (var proxy in proxies) proxy.Cut();
            output.WriteLine("cable cut");
            // Humid air at once (an event in flight as the cable goes): the margin falls below 1 °C, the interlock acts.
            await stand.PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=21");
            await atStand.WaitOnAsync("dcs/status", s => s.Contains("\"LV_OFF\""), TimeSpan.FromSeconds(30), "LV_OFF by the interlock during the cut");
            var interlocked = clock.Elapsed;
            var audit = JsonDocument.Parse(await stand.GetAsAdminAsync("/api/audit?limit=1000")).RootElement.EnumerateArray()
                .Where(e => e.GetProperty("user").GetString() == "interlock").ToList();
            Assert.Contains(audit, e => e.GetProperty("topic").GetString() == "dcs/cmd/switch/lv" && e.GetProperty("payload").GetString() == "off" && e.GetProperty("ok").GetBoolean());
            // The stand's own commands are refused by the interlock while the air is humid, cut or not.
            var refused = await atStand.CommandAsync(stand.MqttPort, Admin, "dcs/cmd/switch/lv", "on", TimeSpan.FromSeconds(30));
            Assert.Contains("interlock 'condensation' is active", refused.GetProperty("error").GetString());
            // A procedure started and aborted while away: its statuses are events too.
            var started = await atStand.CommandAsync(stand.MqttPort, Admin, "procedures/cmd/start", """{"name":"long-wait"}""", TimeSpan.FromSeconds(30));
            Assert.True(started.GetProperty("ok").GetBoolean(), started.ToString());
            var procedure = new List<string>();
            while (!procedure.Any(p => p.Contains("\"running\"")))
                procedure.Add(await atStand.NextOnAsync("procedures/status", TimeSpan.FromSeconds(30)) ?? throw new TimeoutException("the procedure is not running"));
            // More alarm events while away: dry and humid in turn, every few seconds.
            for (var i = 0; i < 6; i++)
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
                await stand.PostAsAdminAsync($"/api/simulator/sensors/dewpoint?celsius={(i % 2 == 0 ? 7 : 21)}");
            }
            await atStand.WaitOnAsync("alarms/active", a => a.Contains("site.unreachable"), TimeSpan.FromSeconds(40), "site.unreachable during the cut");
            var aborted = await atStand.CommandAsync(stand.MqttPort, Admin, "procedures/cmd/abort", "", TimeSpan.FromSeconds(30));
            Assert.True(aborted.GetProperty("ok").GetBoolean(), aborted.ToString());
            await stand.PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=7");
            var queued = File.ReadAllLines(Path.Combine(stand.DataDirectory, "site-outbox.jsonl")).Length;
            if (CutFor - clock.Elapsed is { Ticks: > 0 } rest) await Task.Delay(rest);

            // Nothing of the stand's reached the site while the cable was out.
            var local = new List<string>();
            while (await atStand.NextOnAsync("alarms/events", TimeSpan.FromMilliseconds(300)) is { } e) local.Add(e);
            while (await atStand.NextOnAsync("procedures/status", TimeSpan.FromMilliseconds(300)) is { } e) procedure.Add(e);
            var duringCut = new List<string>();
            while (await atSite.NextOnAsync($"site/{Stand}/alarms/events", TimeSpan.FromMilliseconds(300)) is { } e) duringCut.Add(e);
            while (await atSite.NextOnAsync($"site/{Stand}/procedures/status", TimeSpan.FromMilliseconds(300)) is { } e) duringCut.Add(e);
            Assert.DoesNotContain(duringCut, e => local.Contains(e) || procedure.Contains(e));
            Assert.True(stand.IsRunning);

            foreach (var proxy in proxies) proxy.Restore();
            var cut = clock.Elapsed;
            output.WriteLine($"cable back after {cut.TotalSeconds:0.0} s; the interlock acted {interlocked.TotalSeconds:0.0} s into the cut; {queued} events on disk; {local.Count} alarm events on the stand");
            Assert.True(cut >= CutFor, $"the cut lasted only {cut.TotalSeconds:0.0} s");

            var atSiteEvents = new List<string>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (DateTime.UtcNow < deadline && !IsInOrderWithin(local, atSiteEvents))
                if (await atSite.NextOnAsync($"site/{Stand}/alarms/events", TimeSpan.FromSeconds(1)) is { } e) atSiteEvents.Add(e);
            output.WriteLine($"{atSiteEvents.Count} alarm events at the site {clock.Elapsed.TotalSeconds - cut.TotalSeconds:0.0} s after the cable came back");
            var atSiteProcedure = new List<string>();
            while (DateTime.UtcNow < deadline && !IsInOrderWithin(procedure, atSiteProcedure))
                if (await atSite.NextOnAsync($"site/{Stand}/procedures/status", TimeSpan.FromSeconds(1)) is { } e) atSiteProcedure.Add(e);
            output.WriteLine($"{procedure.Count} procedure statuses on the stand during the cut, {atSiteProcedure.Count} at the site");

            Assert.True(local.Count >= 6, $"only {local.Count} alarm events on the stand during the cut");
            Assert.True(queued >= 3, $"only {queued} events were queued on disk during the cut");
            // The interlock's own alarm is among them.
            Assert.Contains(local, e => JsonDocument.Parse(e).RootElement.GetProperty("code").GetString() == "interlock");
            Assert.DoesNotContain(local, e => !atSiteEvents.Contains(e));
            // In order: the site's events are the stand's, where an event sent twice (delivery is at least once: resent when
            // its acknowledgement was lost) comes twice in a row.
            var seen = WithoutRepeats(atSiteEvents.Where(local.Contains));
            Assert.True(local.SequenceEqual(seen), $"the site's events are not the stand's in order:\nstand:\n{string.Join('\n', local)}\nsite:\n{string.Join('\n', seen)}");
            // The procedure's too: from running to failed (aborted), every status in the stand's order.
            Assert.Contains("\"state\":\"failed\"", procedure[^1]);
            Assert.Contains("aborted by admin", procedure[^1]);
            var seenProcedure = WithoutRepeats(atSiteProcedure.Where(procedure.Contains));
            Assert.True(WithoutRepeats(procedure).SequenceEqual(seenProcedure), $"the site's procedure statuses are not the stand's in order:\nstand:\n{string.Join('\n', procedure)}\nsite:\n{string.Join('\n', seenProcedure)}");
            // And the stand's latest state: LV off, as the interlock left it.
            await atSite.WaitOnAsync($"site/{Stand}/dcs/status", s => s.Contains("\"LV_OFF\""), TimeSpan.FromSeconds(30), "LV_OFF at the site after the cut");
        }
        finally
        {
            foreach (var proxy in proxies) await proxy.DisposeAsync();
        }
    }

    /// <summary>Every item of <paramref name="sequence"/>, in its order, appears in <paramref name="within"/> (a subsequence).</summary>
    private static bool IsInOrderWithin(List<string> sequence, List<string> within)
    {
        var next = 0;
        foreach (var item in within)
            if (next < sequence.Count && item == sequence[next]) next++;
        return next == sequence.Count;
    }

    /// <summary>The events with each run of the same event twice or more in a row kept once.</summary>
    private static List<string> WithoutRepeats(IEnumerable<string> events)
    {
        var kept = new List<string>();
        foreach (var e in events)
            if (kept.Count == 0 || kept[^1] != e) kept.Add(e);
        return kept;
    }
}
