using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Runs;

namespace TrackerDcs.Tests.Runs;

/// <summary>One stand and one influxd shared by the run tests of <see cref="RunStandTests"/> (they run one after another).</summary>
public sealed class RunStandFixture : IAsyncLifetime
{
    public const string InfluxDatabase = "trackerdcs_runs_test";
    public RunStand Stand { get; private set; } = null!;
    public InfluxServer Influx { get; } = new();

    public async Task InitializeAsync()
    {
        await Influx.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Runs:InfluxDb"] = Influx.Url,
            ["Runs:InfluxDatabase"] = InfluxDatabase,
            // The fake's 4 KiB histogram goes to the blob table, its small summary into the document.
            ["Runs:InlineResultBytes"] = "2048",
            // The default demo calibration (HV_ON, chiller within 2 °C, dew-point margin above 3 °C), shortened.
            ["Runs:Calibrations:pedestals:Arguments:8"] = "2",
            ["Runs:Calibrations:missing:Executable"] = "/nonexistent/bin/ph2acf",
            ["Runs:Calibrations:with-hw:Executable"] = "{trackerdcs}",
            ["Runs:Calibrations:with-hw:HardwareDescription"] = "/nonexistent/CMSIT.xml",
            ["Runs:Calibrations:with-hw:Arguments:0"] = "--hw",
            ["Runs:Calibrations:with-hw:Arguments:1"] = "{hw}",
        };
        foreach (var calibration in new[]
        {
            RunStand.Calibration("slow", ["--seconds", "60", "--child"]),
            RunStand.Calibration("hang", ["--hang", "--child"], timeout: "00:00:02"),
            RunStand.Calibration("hv-run", ["--seconds", "60"], crateState: "HV_ON"),
            RunStand.Calibration("chatty", ["--seconds", "0.5", "--spam", "500"]),
        })
            foreach (var (k, v) in calibration) settings[k] = v;
        Stand = await RunStand.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Stand.DisposeAsync();
        await Influx.DisposeAsync();
    }
}

/// <summary>
/// Calibration runs end to end on the real process: started and stopped with mosquitto_pub, followed on
/// ph2acf/status and ph2acf/log, recorded in the run store with their conditions, announced in Debian's
/// influxd, and ended (with their whole process tree) by stop, time-out and an HV trip.
/// </summary>
public sealed class RunStandTests(RunStandFixture fixture) : IClassFixture<RunStandFixture>
{
    private RunStand Stand => fixture.Stand;

    private async Task<long> StartAsync(string calibration, string modules = "\"module_0\"")
    {
        var reply = await Stand.CommandAsync("ph2acf/cmd/start", $$"""{"calibration":"{{calibration}}","modules":[{{modules}}],"comment":"test"}""");
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        return reply.GetProperty("data").GetProperty("run").GetInt64();
    }

    private async Task<string> RefusalAsync(string topic, string payload)
    {
        var reply = await Stand.CommandAsync(topic, payload);
        Assert.False(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        return reply.GetProperty("error").GetString()!;
    }

    private Task<JsonElement> EndedAsync(long run, string state, int from, double seconds = 20) =>
        Stand.WaitForAsync("ph2acf/status", s => s.GetProperty("state").GetString() == state && s.GetProperty("run").GetInt64() == run,
            $"run {run} {state}", from, seconds);

    [Fact]
    public async Task Preconditions_refuse_then_a_run_is_recorded_with_its_conditions_events_and_time_window()
    {
        const string start = """{"calibration":"pedestals","modules":["module_0","module_1"],"comment":"demo"}""";
        await Stand.CommandAsync("dcs/cmd/switch/hv", "off");
        await RunStand.Eventually(() => Stand.Payloads("dcs/status").LastOrDefault() is { } s && (s.Contains("LV_ON") || s.Contains("LV_OFF")), "HV off");
        Assert.Matches("^precondition failed: crate is LV_O(N|FF), the calibration needs HV_ON$", await RefusalAsync("ph2acf/cmd/start", start));

        await Stand.HvOnAsync();
        Assert.Equal("precondition failed: chiller is OFF, the calibration needs it ON", await RefusalAsync("ph2acf/cmd/start", start));

        Assert.True((await Stand.CommandAsync("julabo/cmd/start", "")).GetProperty("ok").GetBoolean());
        await Stand.WaitForAsync("julabo/status", s => s.GetProperty("fsm_state").GetString() == "ON" && Math.Abs(s.GetProperty("internal_temp").GetDouble() - 20) < 1.5, "the bath near 20 °C");
        Assert.StartsWith("precondition failed: dew-point margin unknown", await RefusalAsync("ph2acf/cmd/start", start));

        // A humid box: the dew point comes within 3 °C of the bath.
        await Sensor("BME/temp", "21");
        await Sensor("BME/humi", "95");
        await RunStand.Eventually(async () => await RefusalAsync("ph2acf/cmd/start", start) is var refusal
            && refusal.Contains("dew-point margin") && refusal.Contains("is not above 3"), "the dew-point refusal", seconds: 10);

        await Sensor("BME/humi", "40");
        var mark = Stand.Mark;
        long run = 0;
        await RunStand.Eventually(async () =>
        {
            var reply = await Stand.CommandAsync("ph2acf/cmd/start", start);
            if (reply.GetProperty("ok").GetBoolean()) run = reply.GetProperty("data").GetProperty("run").GetInt64();
            return run > 0;
        }, "a start once the box is dry", seconds: 10);
        // Two chiller points for the join: one inside the run's window, one an hour before it.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await fixture.Influx.WriteAsync(RunStandFixture.InfluxDatabase,
            $"chiller,test=join internal_temp=19.5,fsm_state=\"ON\" {now}\nchiller,test=join internal_temp=30.0,fsm_state=\"OFF\" {now - 3_600_000}");

        var finished = await EndedAsync(run, "finished", mark);
        Assert.Equal(0, finished.GetProperty("exit_code").GetInt32());
        Assert.Equal(100, finished.GetProperty("progress").GetDouble());
        var log = Stand.Payloads("ph2acf/log", mark).Select(p => JsonDocument.Parse(p).RootElement).Where(l => l.GetProperty("run").GetInt64() == run)
            .Select(l => l.GetProperty("line").GetString()).ToList();
        Assert.Contains("Progress: 50%", log);
        Assert.Contains("Calibration done", log);
        Assert.Contains(Stand.Payloads("ph2acf/status", mark), s => s.Contains("\"state\":\"running\"") && s.Contains($"\"run\":{run},"));

        var document = await Stand.Store().GetAsync(run);
        Assert.NotNull(document);
        Assert.Equal(RunState.Finished, document.State);
        Assert.Equal(["module_0", "module_1"], document.Modules);
        Assert.Equal("admin", document.Operator);
        Assert.Equal("demo", document.Comment);
        Assert.True(document.EndMs > document.StartMs + 1000, $"{document.StartMs} → {document.EndMs}");
        var channelsHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Stand.ChannelsFile)));
        foreach (var snapshot in new[] { document.ConditionsStart!, document.ConditionsEnd! })
        {
            Assert.Equal("HV_ON", snapshot["crate"]!["fsm_state"]!.GetValue<string>());
            Assert.Equal(channelsHash, snapshot["channels_yml_sha256"]!.GetValue<string>());
            Assert.Equal(2, snapshot["channels"]!.AsArray().Count);
            Assert.Equal("ON", snapshot["chiller"]!["fsm_state"]!.GetValue<string>());
            Assert.True(snapshot["environment"]!["dew_point_margin"]!.GetValue<double>() > 3);
            Assert.Equal(21, snapshot["environment"]!["boxes"]!["ESP01"]!["readings"]!["BME_temp"]!.GetValue<double>());
            Assert.NotNull(snapshot["alarms"]!["active"]!.AsArray());
            var appsettings = Path.Combine(Path.GetDirectoryName(StandProcess.Binary)!, "appsettings.json");
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(appsettings))), snapshot["appsettings_sha256"]!.GetValue<string>());
            Assert.NotNull(snapshot["alarms"]!["shelved"]!.AsArray());
        }
        var summary = document.Results.Single(r => r.Name == $"Results_Run{run}.txt");
        Assert.Contains("pedestal", Encoding.UTF8.GetString(Convert.FromBase64String(summary.ContentBase64!)));
        var histogram = document.Results.Single(r => r.Name == $"Hist_Run{run}.root");
        Assert.Null(histogram.ContentBase64);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(document.OutputDirectory, histogram.Name)), await Stand.Store().GetBlobAsync(histogram.BlobId!));
        Assert.Contains(document.Results, r => r.Name == $"ph2acf-run-{run}.log");

        using var http = Stand.Stand.HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{StandProcess.AdminPassword}")));
        var api = $"https://localhost:{Stand.Stand.HttpsPort}/api/runs";
        Assert.Contains($"\"run\":{run},", await http.GetStringAsync(api));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(document.OutputDirectory, histogram.Name)), await http.GetByteArrayAsync($"{api}/{run}/results/{histogram.Name}"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"{api}/{run}/results/nothing.txt")).StatusCode);

        var events = await fixture.Influx.QueryRowsAsync(RunStandFixture.InfluxDatabase, $"SELECT * FROM runs WHERE run = {run}");
        Assert.Equal(["start", "end"], events.Select(e => e["event"]!.GetValue<string>()));
        Assert.Equal(document.StartMs, events[0]["time"]!.GetValue<long>());
        Assert.Equal(document.EndMs, events[1]["time"]!.GetValue<long>());
        Assert.Equal("pedestals", events[1]["calibration"]!.GetValue<string>());
        Assert.Equal("finished", events[1]["state"]!.GetValue<string>());

        // The history over MQTT (for scripts and the site's uplink): the run with its result files by name and size only.
        var listed = (await Stand.CommandAsync("ph2acf/cmd/runs", """{"limit":5}""")).GetProperty("data").GetProperty("runs").EnumerateArray()
            .Single(r => r.GetProperty("run").GetInt64() == run);
        Assert.Equal(("pedestals", "finished", document.EndMs), (listed.GetProperty("calibration").GetString(), listed.GetProperty("state").GetString(),
            (long?)listed.GetProperty("end_ms").GetInt64()));
        Assert.Equal(document.Results.Select(r => (r.Name, r.Size)),
            listed.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("size").GetInt64())));
        Assert.DoesNotContain("content_base64", listed.ToString());
        Assert.Contains("'limit' must be a whole number from 1 to 1000", (await Stand.CommandAsync("ph2acf/cmd/runs", """{"limit":0}""")).GetProperty("error").GetString());

        var conditions = (await Stand.CommandAsync("ph2acf/cmd/conditions", $$"""{"run":{{run}}}""")).GetProperty("data");
        Assert.Equal("influxdb", conditions.GetProperty("source").GetString());
        Assert.Equal(document.StartMs, conditions.GetProperty("from_ms").GetInt64());
        var chiller = conditions.GetProperty("conditions").GetProperty("chiller").EnumerateArray().ToList();
        Assert.Equal(19.5, Assert.Single(chiller).GetProperty("internal_temp").GetDouble());
    }

    private async Task Sensor(string quantity, string value) =>
        Assert.Equal(0, (await Mosquitto.PubAsync(Stand.Stand.MqttPort, [.. RunStand.Admin, "-q", "1", "-t", $"ESP01/sensors/{quantity}", "-m", value])).ExitCode);

    [Theory]
    [InlineData("ph2acf/cmd/start", """{"calibration":"nope","modules":["module_0"]}""", "unknown calibration 'nope' (known: ")]
    [InlineData("ph2acf/cmd/start", """{"calibration":"slow","modules":["module_7"]}""", "module 'module_7' is not in channels.yml (modules: module_0, module_1)")]
    [InlineData("ph2acf/cmd/start", """{"calibration":"slow","modules":["module_0"],"shell":"rm -rf /"}""", "unknown field 'shell'")]
    [InlineData("ph2acf/cmd/start", """{"calibration":"slow"}""", "missing field 'modules'")]
    [InlineData("ph2acf/cmd/start", "pedestals module_0", "payload is not JSON")]
    [InlineData("ph2acf/cmd/start", """{"calibration":"missing","modules":["module_0"]}""", "executable '/nonexistent/bin/ph2acf' of calibration 'missing' not found")]
    [InlineData("ph2acf/cmd/start", """{"calibration":"with-hw","modules":["module_0"]}""", "hardware description file '/nonexistent/CMSIT.xml' does not exist")]
    [InlineData("ph2acf/cmd/stop", "", "no run is going")]
    [InlineData("ph2acf/cmd/conditions", """{"run":99999}""", "no run 99999")]
    [InlineData("ph2acf/cmd/conditions", """{"run":"1","x":2}""", "unknown field 'x'")]
    [InlineData("ph2acf/cmd/launch", "", "unknown command topic 'ph2acf/cmd/launch'")]
    public async Task Bad_input_gets_a_clear_reply_and_starts_no_run(string topic, string payload, string reason)
    {
        var before = (await Stand.Store().ListAsync(1000)).Count;
        var mark = Stand.Mark;
        Assert.Contains(reason, await RefusalAsync(topic, payload));
        await Task.Delay(300);
        Assert.DoesNotContain(Stand.Payloads("ph2acf/status", mark), s => s.Contains("\"running\""));
        Assert.Equal(before, (await Stand.Store().ListAsync(1000)).Count);
    }

    [Fact]
    public async Task A_start_while_running_is_refused_and_stop_ends_the_whole_process_tree()
    {
        var mark = Stand.Mark;
        var run = await StartAsync("slow");
        var (pid, child) = await Stand.PidsAsync(run, mark);
        Assert.False(RunStand.IsGone(pid) || RunStand.IsGone(child));
        Assert.Equal($"run {run} (slow) is going; stop it first",
            await RefusalAsync("ph2acf/cmd/start", """{"calibration":"slow","modules":["module_1"]}"""));

        var stopped = await Stand.CommandAsync("ph2acf/cmd/stop", "");
        Assert.True(stopped.GetProperty("ok").GetBoolean());
        Assert.Equal("stopped", stopped.GetProperty("data").GetProperty("state").GetString());
        Assert.True(RunStand.IsGone(pid) && RunStand.IsGone(child), $"pid {pid} or child {child} still running");
        await EndedAsync(run, "stopped", mark);
        var document = await Stand.Store().GetAsync(run);
        Assert.Equal(RunState.Stopped, document!.State);
        Assert.Equal("stopped by admin", document.Reason);
        // The fake answers SIGTERM by closing the run: the log shows it was a clean stop, not a kill.
        Assert.Contains(Stand.Payloads("ph2acf/log", mark), l => l.Contains("SIGTERM received"));
        Assert.Equal(143, document.ExitCode);
    }

    [Fact]
    public async Task A_time_out_kills_a_program_that_ignores_sigterm_and_its_child()
    {
        var mark = Stand.Mark;
        var run = await StartAsync("hang");
        var (pid, child) = await Stand.PidsAsync(run, mark);
        var ended = await EndedAsync(run, "stopped", mark);
        Assert.Equal("time-out after 2 s", ended.GetProperty("reason").GetString());
        Assert.True(RunStand.IsGone(pid) && RunStand.IsGone(child), $"pid {pid} or child {child} still running");
        var document = await Stand.Store().GetAsync(run);
        // Killed after the grace period: 128 + SIGKILL.
        Assert.Equal(137, document!.ExitCode);
        var elapsed = (document.EndMs!.Value - document.StartMs) / 1000.0;
        Assert.InRange(elapsed, 2.5, 10);
    }

    [Fact]
    public async Task A_failing_program_ends_the_run_as_failed_with_its_stderr_on_the_log()
    {
        var mark = Stand.Mark;
        var run = await StartAsync("failing-demo");
        var failed = await EndedAsync(run, "failed", mark);
        Assert.Equal(3, failed.GetProperty("exit_code").GetInt32());
        Assert.Equal("exit code 3", failed.GetProperty("reason").GetString());
        Assert.Contains(Stand.Payloads("ph2acf/log", mark), l => l.Contains("\"stream\":\"stderr\"") && l.Contains("lost the FC7 board"));
        Assert.Equal(RunState.Failed, (await Stand.Store().GetAsync(run))!.State);
    }

    [Fact]
    public async Task A_chatty_program_is_rate_limited_on_mqtt_and_complete_in_its_log_file()
    {
        var mark = Stand.Mark;
        var run = await StartAsync("chatty");
        await EndedAsync(run, "finished", mark);
        var published = Stand.Payloads("ph2acf/log", mark).Select(p => JsonDocument.Parse(p).RootElement).Where(l => l.GetProperty("run").GetInt64() == run).ToList();
        // 20 lines a second, a burst of 20: the 500 event lines cannot all have gone out in about a second.
        Assert.InRange(published.Count, 20, 80);
        var dropped = published.Sum(l => l.TryGetProperty("dropped_before", out var d) ? d.GetInt32() : 0);
        var last = published[^1].GetProperty("line").GetString()!;
        if (last.StartsWith("… ")) dropped += int.Parse(last.Split(' ')[1]);
        var document = await Stand.Store().GetAsync(run);
        var result = document!.Results.Single(r => r.Name == $"ph2acf-run-{run}.log");
        Assert.Null(result.ContentBase64);
        var file = Encoding.UTF8.GetString((await Stand.Store().GetBlobAsync(result.BlobId!))!);
        var lines = file.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(500, lines.Count(l => l.StartsWith("event ")));
        Assert.Equal(lines.Length, published.Count(l => !l.GetProperty("line").GetString()!.StartsWith("… ")) + dropped);
    }

    [Fact]
    public async Task An_hv_trip_during_a_run_stops_it()
    {
        await Stand.HvOnAsync();
        var mark = Stand.Mark;
        var run = await StartAsync("hv-run", "\"module_0\",\"module_1\"");
        await Stand.StatusAsync("running", mark);
        await Stand.Stand.PostAsAdminAsync("/api/simulator/caen/trip/12/0");
        var ended = await EndedAsync(run, "stopped", mark);
        Assert.StartsWith("interlock: crate is ", ended.GetProperty("reason").GetString());
        Assert.EndsWith(", the calibration needs HV_ON", ended.GetProperty("reason").GetString());
        var document = await Stand.Store().GetAsync(run);
        Assert.NotEqual("HV_ON", document!.ConditionsEnd!["crate"]!["fsm_state"]!.GetValue<string>());
        Assert.Equal("HV_ON", document.ConditionsStart!["crate"]!["fsm_state"]!.GetValue<string>());
        await Stand.CommandAsync("dcs/cmd/clear", "");
    }
}
