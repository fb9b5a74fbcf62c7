using System.Diagnostics;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Alarms;

/// <summary>
/// The external watchdog: a real Mosquitto outside the stand holds dcs/heartbeat's last will, so a watcher
/// learns when TrackerDcs is killed, without polling; a clean stop says so itself; a broker outage is survived.
/// </summary>
public sealed class WatchdogTests
{
    private static readonly string[] Anonymous = [];
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static StandProcess Stand(MosquittoBroker broker) => new(new Dictionary<string, string>
    {
        ["Watchdog:Broker"] = $"mqtt://127.0.0.1:{broker.Port}",
        ["Watchdog:KeepAliveSeconds"] = "5",
    });

    private static bool Online(string line) => line.Contains("\"state\":\"online\"");

    [Fact]
    public async Task A_killed_process_leaves_offline_retained_on_the_external_broker_within_a_second()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var stand = Stand(broker);
        await stand.StartAsync();
        await using (var watcher = await MosquittoSubscriber.StartAsync(broker.Port, Anonymous, ["dcs/heartbeat"]))
        {
            await watcher.WaitOnAsync("dcs/heartbeat", Online, Wait, "the heartbeat online on the external broker");
            // The other parts may still be starting (503); the watchdog's own entry is what counts here.
            var watchdog = System.Text.Json.JsonDocument.Parse(await Readyz(stand)).RootElement
                .GetProperty("components").GetProperty("watchdog").GetProperty($"mqtt://127.0.0.1:{broker.Port}");
            Assert.True(watchdog.GetProperty("ready").GetBoolean(), watchdog.ToString());
            Assert.Equal("connected", watchdog.GetProperty("state").GetString());

            var killed = Stopwatch.StartNew();
            await stand.KillAsync();
            var will = await watcher.WaitOnAsync("dcs/heartbeat", l => l.Contains("\"state\":\"offline\""), Wait, "the last will");
            Assert.Contains("connection to TrackerDcs lost", will);
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(2), $"the will came {killed.Elapsed.TotalSeconds:0.0} s after the kill");
        }
        // A watcher that starts later still finds the stand offline: the will is retained.
        var late = await Mosquitto.SubAsync(broker.Port, "-t", "dcs/heartbeat", "-C", "1", "-W", "5");
        Assert.Contains("\"state\":\"offline\"", late.Stdout);
    }

    [Fact]
    public async Task The_watchdog_comes_back_after_a_broker_outage_and_a_clean_stop_says_stopped()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var stand = Stand(broker);
        await stand.StartAsync();
        await using (var first = await MosquittoSubscriber.StartAsync(broker.Port, Anonymous, ["dcs/heartbeat"]))
            await first.WaitOnAsync("dcs/heartbeat", Online, Wait, "the heartbeat online");

        await broker.StopAsync();
        await WaitForAsync(async () => (await Readyz(stand)).Contains("\"unreachable") || (await Readyz(stand)).Contains("\"connecting\""),
            "/readyz to report the watchdog broker unreachable");
        Assert.Contains("Watchdog broker", stand.Log);

        await broker.StartAgainAsync();
        await using var watcher = await MosquittoSubscriber.StartAsync(broker.Port, Anonymous, ["dcs/heartbeat"]);
        // The retry back-off is at most a few seconds after an outage this short.
        await watcher.WaitOnAsync("dcs/heartbeat", Online, TimeSpan.FromSeconds(20), "the heartbeat online again after the outage");

        await stand.StopAsync();
        var stopped = await watcher.WaitOnAsync("dcs/heartbeat", l => l.Contains("\"state\":\"offline\""), Wait, "offline on a clean stop");
        Assert.Contains("\"reason\":\"stopped\"", stopped);
    }

    [Theory]
    [InlineData("--Watchdog:Broker=tcp://lab-broker:1883", "setting 'Watchdog:Broker': 'tcp://lab-broker:1883' is not mqtt://host[:port] or mqtts://host[:port]")]
    [InlineData("--Watchdog:KeepAliveSeconds=0", "setting 'Watchdog:KeepAliveSeconds': 0 is outside 1..3600 s")]
    [InlineData("--Watchdog:CaFile=/nonexistent/ca.pem", "setting 'Watchdog:CaFile': file '/nonexistent/ca.pem' does not exist")]
    public async Task A_bad_watchdog_setting_stops_the_start_naming_its_key(string setting, string message)
    {
        await using var stand = new StandProcess();
        var broker = setting.StartsWith("--Watchdog:Broker") ? [] : new[] { "--Watchdog:Broker=mqtts://127.0.0.1:8883" };
        var result = await stand.RunToExitAsync([.. broker, setting]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    private static async Task<string> Readyz(StandProcess stand) => (await stand.ReadinessAsync()).Body;

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {Wait.TotalSeconds} s for {what}");
            await Task.Delay(200);
        }
    }
}
