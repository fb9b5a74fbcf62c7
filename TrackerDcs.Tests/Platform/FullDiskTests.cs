using System.Text.Json;
using TrackerDcs.Tests.Alarms;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Platform;

/// <summary>
/// The data disk full for real (a 20 MB tmpfs filled to the last block): the audit comes first, so an
/// operator's command whose row cannot be written is refused and never reaches the crate; an interlock
/// action still runs (safety first), is journaled in the preallocated file, and reaches the audit once the
/// disk has room again.
/// </summary>
public sealed class FullDiskTests
{
    private const long DiskBytes = 20L << 20;
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    private const string Rules = """
        interlocks:
          - name: no-cooling
            when: crate.hv_on and chiller.state != ON
            for: 1
            actions: [hv_off]
        """;

    [TmpfsFact]
    public async Task A_full_disk_refuses_commands_it_cannot_audit_but_interlocks_act_and_are_journaled()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-fulldisk-").FullName;
        var rules = Path.Combine(directory, "interlocks.yml");
        await File.WriteAllTextAsync(rules, Rules);
        await using var disk = await SmallDiskStand.StartAsync(new Dictionary<string, string>
        {
            ["Interlocks:File"] = rules,
            ["Julabo:PollPeriod"] = "00:00:00.300",
            ["Julabo:CommandInterval"] = "00:00:00.020",
            ["Caen:PublishPeriod"] = "00:00:01",
        }, directory, DiskBytes);
        var stand = disk.Stand;
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/status", "dcs/reply"]);
        async Task<JsonElement> Command(string topic, string payload) => await sub.CommandAsync(stand.MqttPort, Admin, topic, payload, TimeSpan.FromSeconds(15));
        Task Status(string state) => sub.WaitOnAsync("dcs/status", s => s.Contains($"\"{state}\""), TimeSpan.FromSeconds(20), state);

        Assert.True((await Command("dcs/cmd/switch/lv", "on")).GetProperty("ok").GetBoolean());
        await Status("LV_ON");
        await Mosquitto.PubAsync(stand.MqttPort, [.. Admin, "-q", "1", "-t", "julabo/cmd/start", "-m", ""]);
        for (var deadline = DateTime.UtcNow.AddSeconds(15); !(await Command("dcs/cmd/switch/hv", "on")).GetProperty("ok").GetBoolean(); await Task.Delay(300))
            Assert.True(DateTime.UtcNow < deadline, "HV on stayed refused after the chiller started");
        await Status("HV_ON");

        await disk.FillAsync();

        // The operator's command: refused with the reason, and the crate is not told (HV stays on).
        var refused = await Command("dcs/cmd/switch/hv", "off");
        Assert.False(refused.GetProperty("ok").GetBoolean());
        Assert.Contains("the audit log cannot be written", refused.GetProperty("error").GetString());
        Assert.Contains("the command was not sent", refused.GetProperty("error").GetString());
        await AssertHvStaysOnAsync(stand);

        // The chiller lost: the interlock switches HV off although nothing can be written.
        await stand.PostAsAdminAsync("/api/simulator/julabo/unplug");
        await Status("HV_RAMP_DOWN");
        await Eventually.True(() => stand.Log.Contains("runs anyway, journaled"), "the interlock action journaled");

        // Room again: the journaled row reaches the audit; the refused command never ran, so it has no row.
        disk.Free();
        List<JsonElement> audit = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(20); !(audit = await AuditAsync(stand)).Any(r => r.GetProperty("user").GetString() == "interlock"); await Task.Delay(200))
            Assert.True(DateTime.UtcNow < deadline, "the interlock's journaled row never reached /api/audit");
        var action = Assert.Single(audit, r => r.GetProperty("user").GetString() == "interlock");
        Assert.Equal("dcs/cmd/switch/hv", action.GetProperty("topic").GetString());
        Assert.Equal("off", action.GetProperty("payload").GetString());
        Assert.True(action.GetProperty("ok").GetBoolean());
        Assert.DoesNotContain(audit, r => r.GetProperty("user").GetString() == "admin" && r.GetProperty("payload").GetString() == "off");
        Assert.DoesNotContain(audit, r => r.GetProperty("result").GetString() == "pending");
    }

    [TmpfsFact]
    public async Task A_full_disk_keeps_alarms_published_and_is_itself_a_major_alarm_and_readyz_unready_until_space_is_freed()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-fullstore-").FullName;
        await using var disk = await SmallDiskStand.StartAsync(new Dictionary<string, string> { ["Alarms:DiskFreePercentMin"] = "10" }, directory, DiskBytes);
        var stand = disk.Stand;
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["alarms/active"]);
        var before = DateTimeOffset.UtcNow;

        await disk.FillAsync();

        // system.disk's own history row cannot be written: it is published all the same, and so is the failing store.
        var active = await sub.WaitOnAsync("alarms/active", a => a.Contains("system.disk:data") && a.Contains("system.store:sqlite"),
            TimeSpan.FromSeconds(30), "system.disk and system.store on alarms/active");
        var store = JsonDocument.Parse(active).RootElement.EnumerateArray().Single(a => a.GetProperty("key").GetString() == "system.store:sqlite");
        Assert.Equal("major", store.GetProperty("severity").GetString());
        Assert.StartsWith("store sqlite cannot be written since", store.GetProperty("message").GetString());
        Assert.Contains("interlocks act", store.GetProperty("guidance").GetString());

        var (status, report) = await stand.ReadinessAsync();
        Assert.Equal(503, status);
        var sqlite = JsonDocument.Parse(report).RootElement.GetProperty("components").GetProperty("store").GetProperty("sqlite");
        Assert.False(sqlite.GetProperty("ready").GetBoolean());
        Assert.Equal("not writable", sqlite.GetProperty("state").GetString());
        Assert.Contains("since", sqlite.GetProperty("detail").GetString());

        // Room again: the rows kept in memory reach the history, and once writes have succeeded for the store's
        // recovery hold (30 s) the store alarm clears and /readyz is ready.
        disk.Free();
        await sub.WaitOnAsync("alarms/active", a => !a.Contains("system.store") && !a.Contains("system.disk"), TimeSpan.FromSeconds(75),
            "system.store and system.disk cleared");
        await stand.WaitReadyAsync(TimeSpan.FromSeconds(30));
        var history = JsonDocument.Parse(await stand.GetAsAdminAsync("/api/alarms/history")).RootElement.EnumerateArray()
            .Select(r => (Event: r.GetProperty("event").GetString(), Key: r.GetProperty("key").GetString(), Time: r.GetProperty("time").GetDateTimeOffset()))
            .ToList();
        Assert.Contains(history, r => r is { Event: "raised", Key: "system.disk:data" } && r.Time >= before.AddSeconds(-1));
        Assert.Contains(history, r => r is { Event: "raised", Key: "system.store:sqlite" });
        Assert.Contains(history, r => r is { Event: "cleared", Key: "system.store:sqlite" });
    }

    [TmpfsFact]
    public async Task A_full_disk_with_influxdb_away_loses_readings_loudly_and_the_process_and_the_spool_bound_hold()
    {
        const long spoolMax = 200_000;
        var directory = Directory.CreateTempSubdirectory("trackerdcs-fullspool-").FullName;
        await using var influx = new InfluxServer(); // not started: nobody answers on its port
        await using var disk = await SmallDiskStand.StartAsync(new Dictionary<string, string>
        {
            ["TimeSeries:Influx:Api"] = "V1",
            ["TimeSeries:Influx:Url"] = influx.Url,
            ["TimeSeries:Influx:Database"] = "fulldisk",
            ["TimeSeries:SpoolMaxBytes"] = spoolMax.ToString(),
            ["TimeSeries:SpoolSegmentBytes"] = "20000",
            ["TimeSeries:FlushInterval"] = "00:00:00.200",
            ["TimeSeries:MaxRetryDelay"] = "00:00:01",
            ["Caen:PublishPeriod"] = "00:00:00.500",
        }, directory, DiskBytes);
        var stand = disk.Stand;
        var spool = Path.Combine(stand.DataDirectory, "timeseries");
        long SpoolFiles() => Directory.GetFiles(spool, "spool-*.lp").Sum(f => new FileInfo(f).Length);
        await Eventually.True(() => SpoolFiles() > 0, "readings in the spool while InfluxDB is away");

        await disk.FillAsync();
        await Eventually.True(() => stand.Log.Contains("Time-series spool cannot be written"), "the lost readings in the log");

        // Readings keep arriving and are lost, loudly; the process goes on, and so does what
        // depends on nothing on disk: the crate's readings on MQTT and the alarms.
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/channels", "alarms/active"]);
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(await sub.NextOnAsync("dcs/channels", TimeSpan.FromSeconds(20)));
            Assert.True(stand.IsRunning, $"the process ended:\n{stand.Log[^Math.Min(stand.Log.Length, 3000)..]}");
            Assert.True(SpoolFiles() <= spoolMax, $"{SpoolFiles()} bytes of spool files, bound {spoolMax}");
        }
        await sub.WaitOnAsync("alarms/active", a => a.Contains("system.disk:data"), TimeSpan.FromSeconds(20), "system.disk");
    }

    /// <summary>
    /// Every channel still HV_ON two publish rounds after the refusal (a fresh subscriber, so no reading from
    /// before it): an HV off that had reached the crate would show as HV_RAMP_DOWN within one.
    /// </summary>
    private static async Task AssertHvStaysOnAsync(StandProcess stand)
    {
        await using var channels = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/channels"]);
        var seen = new Dictionary<string, int>();
        while (!seen.Values.Any(n => n >= 3))
        {
            var payload = await channels.NextOnAsync("dcs/channels", TimeSpan.FromSeconds(20));
            Assert.NotNull(payload);
            var channel = JsonDocument.Parse(payload).RootElement;
            Assert.Equal("HV_ON", channel.GetProperty("fsm_state").GetString());
            var id = channel.GetProperty("id").GetString()!;
            seen[id] = seen.GetValueOrDefault(id) + 1;
        }
    }

    private static async Task<List<JsonElement>> AuditAsync(StandProcess stand)
    {
        using var client = stand.HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"https://localhost:{stand.HttpsPort}/api/audit");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"admin:{StandProcess.AdminPassword}")));
        var body = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
        return JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
    }
}
