using System.Globalization;
using System.Text.Json;
using TrackerDcs.Tests.Runs;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Procedures;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Procedures;

/// <summary>
/// Procedures on the real process with its simulators (crate, chiller with a short time constant, a sensor box)
/// and the shipped interlocks: the shipped thermal cycle runs to its end with its set points in order; an
/// interlock's refusal fails a run after its on_abort; a SIGKILL leaves a run that the next start marks failed;
/// every command a step sends is in the audit log with the procedure's and the operator's names.
/// </summary>
public sealed class ProcedureStandTests : IAsyncLifetime
{
    private RunStand _stand = null!;
    private string _procedures = null!;

    public async Task InitializeAsync()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-procedures-").FullName;
        _procedures = Path.Combine(directory, "procedures");
        Directory.CreateDirectory(_procedures);
        foreach (var shipped in new[] { "thermal-cycle.yml", "burn-in.yml", "iv-scan.yml" })
            File.Copy(Repository.File("procedures", shipped), Path.Combine(_procedures, shipped));
        await File.WriteAllTextAsync(Path.Combine(_procedures, "hv-on.yml"), """
            description: LV on, then HV on (which the interlocks refuse while the chiller is off)
            steps:
              - command: dcs/cmd/switch/lv on
              - wait_until: { condition: crate.lv_on, timeout: 30 }
              - command: dcs/cmd/switch/hv on
              - note: never reached while the chiller is off
            """);
        await File.WriteAllTextAsync(Path.Combine(_procedures, "long-wait.yml"), """
            description: a wait long enough to be interrupted
            parameters:
              seconds: { unit: s, min: 1, max: 3600, default: 600 }
            steps:
              - note: waiting $seconds s
              - wait: $seconds
            """);
        await File.WriteAllTextAsync(Path.Combine(_procedures, "wait-for-hv.yml"), """
            description: a wait for HV that nothing switches on
            steps:
              - wait_until: { condition: crate.hv_on, stable_for: 1, timeout: 2 }
            """);
        await File.WriteAllTextAsync(Path.Combine(_procedures, "guarded-wait.yml"), """
            description: a wait that the dew-point alarm ends
            fatal_alarms: [environment.dewpoint]
            steps:
              - wait: 600
            """);
        // RunStand's map, with HV limits: 600 V on channel 0, 250 V on channel 1.
        var channels = Path.Combine(directory, "limited-channels.yml");
        await File.WriteAllTextAsync(channels, """
            name: dcs
            channels:
              "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0, maxV: 600. } }
              "1": { module: module_1, lv: { board: 0, chan: 1 }, hv: { board: 12, chan: 1, maxV: 250. } }
            global:
              lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
              hv: { setV: 100., maxI: 500., rampUpSpeed: 200., rampDwnSpeed: 200., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low }
            """);
        var settings = RunStand.Calibration("lv-test", ["--seconds", "0.5"], crateState: "LV_ON");
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["Procedures:Directory"] = _procedures,
            ["Caen:ChannelsFile"] = channels,
            ["Interlocks:File"] = Repository.File("interlocks.yml"),
            ["Sensors:Simulated"] = "true",
            ["Sensors:SimulatedPeriod"] = "00:00:00.500",
        }) settings[key] = value;
        _stand = await RunStand.StartAsync(settings, directory);
    }

    public async Task DisposeAsync() => await _stand.DisposeAsync();

    private async Task<long> StartAsync(string payload)
    {
        var reply = await _stand.CommandAsync("procedures/cmd/start", payload);
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        return reply.GetProperty("data").GetProperty("run").GetInt64();
    }

    private Task<JsonElement> OutcomeAsync(long run, int mark, double seconds = 60) => _stand.WaitForAsync("procedures/status",
        s => Number(s, "run") == run && s.GetProperty("state").GetString() is "finished" or "failed", $"run {run} ended", mark, seconds);

    private async Task<List<JsonElement>> AuditAsync(string user) =>
        [.. JsonDocument.Parse(await _stand.Stand.GetAsAdminAsync("/api/audit?limit=1000")).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("user").GetString() == user).Reverse()];

    private async Task ChillerConnectedAsync() => await _stand.WaitForAsync("julabo/status",
        s => s.GetProperty("fsm_state").GetString() is "OFF" or "ON", "the chiller connected");

    [Fact]
    public async Task The_shipped_thermal_cycle_of_two_cycles_runs_to_its_end_with_its_set_points_in_order()
    {
        await ChillerConnectedAsync();
        var mark = _stand.Mark;
        var run = await StartAsync("""
            {"name":"thermal-cycle","comment":"two short cycles",
             "params":{"cycles":2,"cold":19,"warm":20,"rate":10,"every":1,"dwell":0,"stable":1,"settle_timeout":60}}
            """);

        var outcome = await OutcomeAsync(run, mark, seconds: 120);

        Assert.True(outcome.GetProperty("state").GetString() == "finished", $"the run did not finish: {outcome}");
        Assert.Equal(100, outcome.GetProperty("progress").GetDouble());
        // From the simulated chiller's 20 °C to 19 °C and back, at 10 K/min a set point every second: 1/6 K a step.
        double[] down = [19.83, 19.67, 19.5, 19.33, 19.17, 19], up = [19.17, 19.33, 19.5, 19.67, 19.83, 20];
        var setpoints = (await AuditAsync("procedure:thermal-cycle for admin")).Where(e => e.GetProperty("topic").GetString() == "julabo/cmd/setWT")
            .Select(e => JsonDocument.Parse(e.GetProperty("payload").GetString()!).RootElement.GetProperty("temp").GetDouble()).ToList();
        Assert.Equal([.. down, .. up, .. down, .. up], setpoints);

        var document = Store().Get(run)!;
        Assert.Equal((ProcedureState.Finished, "two short cycles", 2.0), (document.State, document.Comment, document.Parameters["cycles"]));
        Assert.Equal(document.StepCount, document.Steps.Count);
        Assert.All(document.Steps, s => Assert.True(s.Ok, $"step {s.Index} {s.Description}: {s.Result}"));
        Assert.Contains(_stand.Payloads("procedures/log", mark), l => l.Contains("thermal cycle: 2 cycles between 19 and 20 °C at 10 K/min"));
    }

    [Fact]
    public async Task The_shipped_burn_in_calibrates_the_modules_each_interval_with_lv_on_and_waits_for_each_result()
    {
        await ChillerConnectedAsync();
        var mark = _stand.Mark;
        var run = await StartAsync("""
            {"name":"burn-in","modules":["module_0"],
             "params":{"hours":2,"cold":19,"warm":20,"rate":10,"stable":1,"interval":10,"calibration_timeout":60}}
            """);

        var outcome = await OutcomeAsync(run, mark, seconds: 180);

        Assert.True(outcome.GetProperty("state").GetString() == "finished", $"the run did not finish: {outcome}");
        var commands = (await AuditAsync("procedure:burn-in for admin")).Select(e => e.GetProperty("topic").GetString()).Where(t => t != "julabo/cmd/setWT").ToList();
        Assert.Equal(["julabo/cmd/useSP", "julabo/cmd/start", "dcs/cmd/switch/lv", "ph2acf/cmd/start", "ph2acf/cmd/start", "dcs/cmd/switch/hv", "dcs/cmd/switch/lv"], commands);
        var calibrations = Store().Get(run)!.Steps.Where(s => s.Kind == "calibration").ToList();
        Assert.Equal(2, calibrations.Count);
        foreach (var step in calibrations)
        {
            var result = step.Result!;
            var number = JsonDocument.Parse(result[result.IndexOf('{')..]).RootElement.GetProperty("run").GetInt64();
            var calibration = (await _stand.Store().GetAsync(number))!;
            Assert.Equal((Web.Runs.RunState.Finished, "lv-test", "module_0"), (calibration.State, calibration.Calibration, calibration.Modules.Single()));
            // The step waited for the calibration's result: it ended after the calibration did.
            Assert.True(step.EndMs >= calibration.EndMs, $"step ended at {step.EndMs}, calibration at {calibration.EndMs}");
        }
        await _stand.CrateAsync("LV_OFF");
    }

    /// <summary>The shipped iv-scan of module_0 (channel 0, board 12 channel 0) against the simulated sensor the query describes.</summary>
    private async Task<(string? Stopped, List<double> Points, List<string> SetPoints, List<JsonElement> Records)> ScanAsync(string sensor, string parameters)
    {
        await _stand.Stand.PostAsAdminAsync($"/api/simulator/caen/sensor/12/0?{sensor}");
        await ChillerConnectedAsync();
        if (_stand.Payloads("julabo/status").LastOrDefault()?.Contains("\"ON\"") != true)
            Assert.True((await _stand.CommandAsync("julabo/cmd/start", "")).GetProperty("ok").GetBoolean());
        await _stand.WaitForAsync("julabo/status", s => s.GetProperty("fsm_state").GetString() == "ON", "the chiller on");
        await _stand.HvOnAsync();
        var mark = _stand.Mark;
        var run = await StartAsync($$"""{"name":"iv-scan","modules":["module_0"],"params":{{parameters}}}""");

        var outcome = await OutcomeAsync(run, mark);

        Assert.True(outcome.GetProperty("state").GetString() == "finished", $"the run did not finish: {outcome}");
        var result = Store().Get(run)!.Steps.Single(s => s.Kind == "iv_scan").Result!;
        var data = JsonDocument.Parse(result[result.IndexOf('{')..]).RootElement;
        var points = data.GetProperty("points").EnumerateArray().ToList();
        Assert.All(points, p => Assert.Equal(("0", "module_0"), (p.GetProperty("channel").GetString(), p.GetProperty("module").GetString())));
        var setPoints = (await AuditAsync("procedure:iv-scan for admin")).Where(e => e.GetProperty("topic").GetString() == "dcs/cmd/setv/hv/0")
            .Select(e => e.GetProperty("payload").GetString()!).ToList();
        return (data.GetProperty("stopped").GetString(), [.. points.Select(p => p.GetProperty("v_set").GetDouble())], setPoints, points);
    }

    private async Task AllOffAsync()
    {
        await _stand.Stand.PostAsAdminAsync("/api/simulator/caen/sensor/12/0?remove=true");
        await _stand.CommandAsync("dcs/cmd/switch/hv", "off");
        await RunStand.Eventually(() => _stand.Payloads("dcs/status").LastOrDefault() is { } s && (s.Contains("\"LV_ON\"") || s.Contains("\"LV_OFF\"")), "HV off");
        await _stand.CommandAsync("dcs/cmd/switch/lv", "off");
        await _stand.CrateAsync("LV_OFF");
    }

    [Fact]
    public async Task An_iv_scan_to_breakdown_stops_at_the_breakdown_step_and_ramps_down()
    {
        try
        {
            // Depleted at 250 V with 1 µA, breaking down above 150 V: at 160 V the current is e × its value at 140 V.
            // Without the charging transient (charge=0), so that the ratio is the curve's own.
            var (stopped, points, setPoints, _) = await ScanAsync("breakdown=150&charge=0",
                """{"stop":300,"step":20,"settle":1,"samples":3,"compliance":50,"breakdown_factor":2,"ramp_rate":200}""");

            Assert.StartsWith("breakdown: channel 0 drew ", stopped);
            Assert.Contains(" at 160 V, more than 2 × ", stopped);
            Assert.Equal([0, 20, 40, 60, 80, 100, 120, 140, 160], points);
            // Back down, then back to channels.yml's 100 V it had before: below the 160 V where it broke down.
            Assert.Equal(["0", "20", "40", "60", "80", "100", "120", "140", "160", "0", "100"], setPoints);
        }
        finally
        {
            await AllOffAsync();
        }
    }

    [Fact]
    public async Task An_iv_scan_against_compliance_stops_there_and_ramps_down()
    {
        try
        {
            // 50 µA at full depletion (250 V), growing as √V: 28 µA at 80 V, 32 µA at 100 V.
            var (stopped, points, setPoints, _) = await ScanAsync("current=50&charge=0",
                """{"stop":300,"step":20,"settle":1,"samples":3,"compliance":30,"breakdown_factor":3,"ramp_rate":200}""");

            Assert.StartsWith("compliance: channel 0 drew ", stopped);
            Assert.EndsWith(" at 100 V (compliance 30 µA)", stopped);
            Assert.Equal([0, 20, 40, 60, 80, 100], points);
            Assert.Equal("0", setPoints[^1]);
        }
        finally
        {
            await AllOffAsync();
        }
    }

    [Fact]
    public async Task After_a_scan_the_channel_is_back_at_its_set_point_before_the_scan_and_that_is_the_kept_one()
    {
        try
        {
            // The operator's bias, set before the scan (HV is switched on by the scan's preparation, below).
            await _stand.CrateAsync("LV_OFF");
            Assert.True((await _stand.CommandAsync("dcs/cmd/setv/hv/0", "120")).GetProperty("ok").GetBoolean());

            var (stopped, points, setPoints, _) = await ScanAsync("charge=0", """{"stop":60,"step":20,"settle":0,"samples":1,"ramp_rate":200}""");

            Assert.Null(stopped);
            Assert.Equal([0, 20, 40, 60], points);
            Assert.Equal(["0", "20", "40", "60", "0", "120"], setPoints);
            // The crate's V0Set and VMon as the channel object says them. The run ended once the process's view of the
            // crate read 120 V; its channel object follows within a publish (a change within 100 ms of the last one is
            // held back), so the retained one read at once may still be from the way up: the next ones settle it.
            await using (var crate = await MosquittoSubscriber.StartAsync(_stand.Stand.MqttPort, RunStand.Admin, ["dcs/channels/0"]))
            {
                var channel = JsonDocument.Parse(await crate.WaitOnAsync("dcs/channels/0",
                    c => JsonDocument.Parse(c).RootElement.GetProperty("hv_vMon").GetDouble() is >= 119 and <= 121, TimeSpan.FromSeconds(20),
                    "channel 0 at 120 V")).RootElement;
                Assert.Equal(120, channel.GetProperty("hv_setV").GetDouble());
            }
            // What a restart writes to the crate: the operator's 120 V, not the scan's bottom.
            Assert.Equal(120, KeptHvSetPoint("0"));
        }
        finally
        {
            await AllOffAsync();
        }
    }

    [Fact]
    public async Task A_set_point_at_or_above_where_the_scan_stopped_is_not_put_back()
    {
        try
        {
            // The compliance scan stops at 100 V: channels.yml's 100 V would draw more than compliance.
            var (_, _, setPoints, _) = await ScanAsync("current=50&charge=0",
                """{"stop":300,"step":20,"settle":1,"samples":3,"compliance":30,"breakdown_factor":3,"ramp_rate":200}""");

            Assert.Equal("0", setPoints[^1]);
            Assert.Equal(0, KeptHvSetPoint("0"));
            var log = _stand.Payloads("procedures/log").Select(l => JsonDocument.Parse(l).RootElement.GetProperty("line").GetString()).ToList();
            Assert.Contains("channel 0 stays at 0 V: its set point before the scan, 100 V, is at or above the 100 V where the scan stopped", log);
        }
        finally
        {
            await AllOffAsync();
        }
    }

    [Fact]
    public async Task A_scan_ramps_at_its_rate_and_puts_the_channels_ramp_rates_back_after()
    {
        try
        {
            // dcs/channels/0 as the crate reports it, from before the scan: channels.yml's 200 V/s up and down.
            await using var crate = await MosquittoSubscriber.StartAsync(_stand.Stand.MqttPort, RunStand.Admin, ["dcs/channels/0"]);
            await crate.WaitOnAsync("dcs/channels/0", p => Ramp(p) == (200, 200), TimeSpan.FromSeconds(20), "channels.yml's ramp rates");

            var (stopped, points, _, _) = await ScanAsync("charge=0", """{"stop":40,"step":20,"settle":0,"samples":1,"ramp_rate":25}""");

            Assert.Null(stopped);
            Assert.Equal([0, 20, 40], points);
            // Through the bus as the procedure: the scan's rate before its first point, the rates before it after its ramp down.
            var commands = (await AuditAsync("procedure:iv-scan for admin"))
                .Select(e => $"{e.GetProperty("topic").GetString()} {e.GetProperty("payload").GetString()}").ToList();
            Assert.Equal([
                """dcs/cmd/setramp/hv/0 {"up":25,"down":25}""", "dcs/cmd/setv/hv/0 0", "dcs/cmd/setv/hv/0 20", "dcs/cmd/setv/hv/0 40",
                "dcs/cmd/setv/hv/0 0", """dcs/cmd/setramp/hv/0 {"up":200,"down":200}""", "dcs/cmd/setv/hv/0 100"], commands);
            // The crate's RUp and RDWn: the scan's rate while it ran, then channels.yml's again.
            await crate.WaitOnAsync("dcs/channels/0", p => Ramp(p) == (25, 25), TimeSpan.FromSeconds(20), "the scan's ramp rate");
            await crate.WaitOnAsync("dcs/channels/0", p => Ramp(p) == (200, 200), TimeSpan.FromSeconds(20), "the ramp rates back");
        }
        finally
        {
            await AllOffAsync();
        }
    }

    private static (double, double) Ramp(string channel)
    {
        var json = JsonDocument.Parse(channel).RootElement;
        return json.TryGetProperty("hv_rampUpSpeed", out var up) && json.TryGetProperty("hv_rampDwnSpeed", out var down)
            ? (up.GetDouble(), down.GetDouble()) : (double.NaN, double.NaN);
    }

    [Theory]
    [InlineData("0", "HV ramp-up rate 0 V/s of channel 0 is outside the boards' 1…500 V/s")]
    [InlineData("""{"up":50,"down":501}""", "HV ramp-down rate 501 V/s of channel 0 is outside the boards' 1…500 V/s")]
    [InlineData("fast", "payload 'fast' is not a ramp rate: a number of V/s for both, or {\"up\":…,\"down\":…}")]
    [InlineData("""{"upp":50}""", "payload '{\"upp\":50}' is not a ramp rate: a number of V/s for both, or {\"up\":…,\"down\":…}")]
    public async Task A_ramp_rate_command_outside_the_boards_bounds_is_refused_naming_it(string payload, string error)
    {
        var reply = await _stand.CommandAsync("dcs/cmd/setramp/hv/0", payload);

        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Equal(error, reply.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_scan_at_a_ramp_rate_outside_the_bounds_is_refused_at_start_naming_it()
    {
        var reply = await _stand.CommandAsync("procedures/cmd/start", """{"name":"iv-scan","modules":["module_0"],"params":{"ramp_rate":0.5}}""");

        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Equal("parameter 'ramp_rate' = 0.5 V/s is outside its bounds [1, 500]", reply.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Each_point_of_a_scan_carries_the_sensor_temperature()
    {
        try
        {
            var (_, points, _, records) = await ScanAsync("charge=0", """{"stop":20,"step":20,"settle":0,"samples":1,"ramp_rate":200}""");

            Assert.Equal([0, 20], points);
            // The shipped iv-scan reads sensor.max.DS_temp: the simulated box's cold plate, at the room's ~21 °C.
            Assert.All(records, p => Assert.InRange(p.GetProperty("t_sensor").GetDouble(), 10, 30));
        }
        finally
        {
            await AllOffAsync();
        }
    }

    /// <summary>The HV set point the process keeps for a channel across a restart (CaenSetPoints' table), null when none.</summary>
    private double? KeptHvSetPoint(string channel)
    {
        using var connection = new Database(Path.Combine(_stand.Stand.DataDirectory, "trackerdcs.db")).Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT volts FROM caen_setpoints WHERE channel = $channel AND supply = 'hv'";
        command.Parameters.AddWithValue("$channel", channel);
        return command.ExecuteScalar() is double volts ? volts : null;
    }

    [Fact]
    public async Task A_scan_of_the_run_s_modules_above_a_channel_s_maxV_is_refused_at_start()
    {
        var reply = await _stand.CommandAsync("procedures/cmd/start", """{"name":"iv-scan","modules":["module_1"],"params":{"stop":300}}""");

        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Equal("step 2 (line 23) would bias channel 1 at 300 V, above its maxV 250 V", reply.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_procedure_with_calibrations_needs_modules()
    {
        var reply = await _stand.CommandAsync("procedures/cmd/start", """{"name":"burn-in"}""");
        Assert.Equal("procedure 'burn-in' calibrates or scans the run's modules: name them (\"modules\": [...])", reply.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_command_an_interlock_refuses_fails_the_run_after_its_on_abort()
    {
        await ChillerConnectedAsync();
        if (_stand.Payloads("julabo/status").LastOrDefault()?.Contains("\"ON\"") == true)
            Assert.True((await _stand.CommandAsync("julabo/cmd/stop", "")).GetProperty("ok").GetBoolean());
        await _stand.WaitForAsync("julabo/status", s => s.GetProperty("fsm_state").GetString() != "ON", "the chiller off");
        await _stand.CrateAsync("LV_OFF");
        var mark = _stand.Mark;
        var run = await StartAsync("""{"name":"hv-on","modules":["module_0"]}""");

        var outcome = await OutcomeAsync(run, mark);

        Assert.Equal("failed", outcome.GetProperty("state").GetString());
        var reason = outcome.GetProperty("reason").GetString()!;
        Assert.Contains("step 3/4 (line 5) command failed: interlock 'no-hv-without-cooling' is active", reason);
        var audit = await AuditAsync("procedure:hv-on for admin");
        Assert.Equal([("dcs/cmd/switch/lv", "on", true), ("dcs/cmd/switch/hv", "on", false), ("dcs/cmd/switch/hv", "off", true), ("dcs/cmd/switch/lv", "off", true)],
            audit.Select(e => (e.GetProperty("topic").GetString(), e.GetProperty("payload").GetString(), e.GetProperty("ok").GetBoolean())));
        Assert.All(audit, e => Assert.Equal(("procedure", $"procedure:hv-on#{run}"), (e.GetProperty("origin").GetString(), e.GetProperty("clientId").GetString())));
        await _stand.CrateAsync("LV_OFF");
        var document = Store().Get(run)!;
        Assert.Equal(ProcedureState.Failed, document.State);
        Assert.Equal(["dcs/cmd/switch/hv off", "dcs/cmd/switch/lv off"], document.OnAbort.Select(s => s.Description));
        Assert.All(document.OnAbort, s => Assert.True(s.Ok));
    }

    [Fact]
    public async Task A_wait_until_that_times_out_fails_the_run_after_its_on_abort_naming_the_signals()
    {
        var mark = _stand.Mark;
        var run = await StartAsync("""{"name":"wait-for-hv"}""");

        var outcome = await OutcomeAsync(run, mark);

        Assert.Equal("failed", outcome.GetProperty("state").GetString());
        Assert.Equal("step 1/1 (line 3) wait_until failed: time-out: 'crate.hv_on' did not hold for 1 s within 2 s (crate.hv_on = False)",
            outcome.GetProperty("reason").GetString());
        Assert.Equal(["dcs/cmd/switch/hv off", "dcs/cmd/switch/lv off"], Store().Get(run)!.OnAbort.Select(s => s.Description));
    }

    [Fact]
    public async Task An_alarm_the_procedure_names_fatal_fails_the_run()
    {
        var mark = _stand.Mark;
        var run = await StartAsync("""{"name":"guarded-wait"}""");
        await _stand.WaitForAsync("procedures/status", s => Number(s, "run") == run && s.GetProperty("state").GetString() == "running", "running", mark);
        try
        {
            // Humid air: the dew point within 3 °C of the coldest temperature on the stand raises environment.dewpoint.
            await _stand.Stand.PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=21");

            var outcome = await OutcomeAsync(run, mark);

            Assert.Equal("failed", outcome.GetProperty("state").GetString());
            Assert.StartsWith("fatal alarm environment.dewpoint:stand: ", outcome.GetProperty("reason").GetString());
            Assert.Equal(2, Store().Get(run)!.OnAbort.Count);
        }
        finally
        {
            await _stand.Stand.PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=7");
            // The other tests need dry air again: no dew-point alarm, no condensation interlock. The interlock's
            // alarm latches once cleared, so it is acknowledged to leave the list.
            async Task<List<JsonElement>> Remaining() => [.. JsonDocument.Parse(await _stand.Stand.GetAsAdminAsync("/api/alarms")).RootElement
                .EnumerateArray().Where(a => a.GetProperty("code").GetString() is "environment.dewpoint" or "interlock")];
            await RunStand.Eventually(async () => (await Remaining()).All(a => a.GetProperty("cleared").ValueKind == JsonValueKind.String),
                "the dew-point alarm and interlock cleared", seconds: 60);
            var latched = (await Remaining()).Select(a => a.GetProperty("key").GetString()).ToList();
            if (latched.Count > 0)
                await Mosquitto.PubAsync(_stand.Stand.MqttPort, [.. Mosquitto.Auth("admin", StandProcess.AdminPassword), "-q", "1",
                    "-t", "alarms/cmd/ack_all", "-m", JsonSerializer.Serialize(new { keys = latched })]);
            await RunStand.Eventually(async () => (await Remaining()).Count == 0, "the latched interlock alarm acknowledged", seconds: 20);
        }
    }

    [Fact]
    public async Task Pause_resume_and_abort_are_operator_commands_and_an_abort_runs_on_abort()
    {
        var mark = _stand.Mark;
        var run = await StartAsync("""{"name":"long-wait","params":{"seconds":600}}""");
        await _stand.WaitForAsync("procedures/status", s => Number(s, "run") == run && Number(s, "step") == 2, "step 2", mark);

        var refused = await _stand.CommandAsync("procedures/cmd/start", """{"name":"long-wait"}""");
        Assert.Contains("is going; one at a time", refused.GetProperty("error").GetString());
        Assert.True((await _stand.CommandAsync("procedures/cmd/pause", "")).GetProperty("ok").GetBoolean());
        await _stand.WaitForAsync("procedures/status", s => s.GetProperty("state").GetString() == "paused", "paused", mark);
        Assert.True((await _stand.CommandAsync("procedures/cmd/resume", "")).GetProperty("ok").GetBoolean());
        var resumed = _stand.Mark;
        await _stand.WaitForAsync("procedures/status", s => s.GetProperty("state").GetString() == "running", "running again", resumed);
        Assert.True((await _stand.CommandAsync("procedures/cmd/abort", "")).GetProperty("ok").GetBoolean());

        var outcome = await OutcomeAsync(run, mark);

        Assert.Equal(("failed", "aborted by admin"), (outcome.GetProperty("state").GetString(), outcome.GetProperty("reason").GetString()));
        var audit = await AuditAsync("procedure:long-wait for admin");
        Assert.Equal(["dcs/cmd/switch/hv off", "dcs/cmd/switch/lv off"], audit.Select(e => $"{e.GetProperty("topic").GetString()} {e.GetProperty("payload").GetString()}"));
        var operatorCommands = JsonDocument.Parse(await _stand.Stand.GetAsAdminAsync("/api/audit?limit=1000")).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("user").GetString() == "admin" && e.GetProperty("topic").GetString()!.StartsWith("procedures/cmd/"))
            .Select(e => e.GetProperty("topic").GetString()).ToList();
        Assert.Contains("procedures/cmd/pause", operatorCommands);
        Assert.Contains("procedures/cmd/abort", operatorCommands);
    }

    [Fact]
    public async Task A_procedure_run_is_a_span_on_the_trend_charts_open_while_it_goes_on_and_closed_with_its_outcome()
    {
        var mark = _stand.Mark;
        var run = await StartAsync("""{"name":"long-wait","modules":["module_0"],"params":{"seconds":600}}""");
        await _stand.WaitForAsync("procedures/status", s => Number(s, "run") == run && Number(s, "step") == 2, "step 2", mark);
        var cookies = new System.Net.CookieContainer();
        using var browser = PanelForm.Client(_stand.Stand, cookies);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await PanelForm.LogInAsync(_stand.Stand, browser, "admin", StandProcess.AdminPassword)).StatusCode);
        async Task<JsonElement?> SpanAsync()
        {
            var to = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds();
            var chart = JsonDocument.Parse(await browser.GetStringAsync(
                $"https://localhost:{_stand.Stand.HttpsPort}/panel-api/trends?signal=caen.VMon&from={to - 3_600_000}&to={to}")).RootElement;
            return chart.GetProperty("annotations").EnumerateArray()
                .Where(a => a.GetProperty("kind").GetString() == "procedure" && a.GetProperty("text").GetString()!.StartsWith($"procedure run {run} "))
                .Select(a => (JsonElement?)a).SingleOrDefault();
        }

        var going = await SpanAsync();
        Assert.NotNull(going);
        Assert.Equal($"procedure run {run} long-wait on module_0 (running)", going.Value.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, going.Value.GetProperty("endMs").ValueKind);

        Assert.True((await _stand.CommandAsync("procedures/cmd/abort", "")).GetProperty("ok").GetBoolean());
        await OutcomeAsync(run, mark);
        var ended = await SpanAsync();
        Assert.NotNull(ended);
        Assert.Equal($"procedure run {run} long-wait on module_0 (failed)", ended.Value.GetProperty("text").GetString());
        var document = Store().Get(run)!;
        Assert.Equal((document.StartMs, document.EndMs), (ended.Value.GetProperty("startMs").GetInt64(), ended.Value.GetProperty("endMs").GetInt64()));
    }

    [Fact]
    public async Task A_run_going_when_trackerdcs_is_killed_is_failed_at_the_next_start_and_never_resumes()
    {
        var mark = _stand.Mark;
        var run = await StartAsync("""{"name":"long-wait","params":{"seconds":600}}""");
        await _stand.WaitForAsync("procedures/status", s => Number(s, "run") == run && Number(s, "step") == 2, "step 2", mark);
        Assert.Equal(ProcedureState.Running, Store().Get(run)!.State);

        await _stand.CrashAndStartAsync(() => { });

        var idle = await _stand.WaitForAsync("procedures/status", s => s.GetProperty("state").GetString() == "idle", "idle after the restart");
        Assert.Equal((run, "failed"), (idle.GetProperty("run").GetInt64(), idle.GetProperty("run_state").GetString()));
        Assert.StartsWith("TrackerDcs stopped during the procedure (in step 2 of 2)", idle.GetProperty("reason").GetString());
        var document = Store().Get(run)!;
        Assert.Equal(ProcedureState.Failed, document.State);
        // Never resumed: a new run starts at once (none is going), under a new number.
        var next = await StartAsync("""{"name":"long-wait","params":{"seconds":1}}""");
        Assert.True(next > run);
    }

    [Fact]
    public async Task A_reload_with_a_broken_file_is_refused_naming_it_and_keeps_the_procedures_loaded()
    {
        var broken = Path.Combine(_procedures, "zz-broken.yml");
        await File.WriteAllTextAsync(broken, "steps:\n  - command: dcs/cmd/explode now\n");
        try
        {
            var reply = await _stand.CommandAsync("procedures/cmd/reload", "");
            Assert.False(reply.GetProperty("ok").GetBoolean());
            Assert.Equal($"nothing reloaded: {broken}:2: 'command': unknown command 'dcs/cmd/explode'", reply.GetProperty("error").GetString());
        }
        finally
        {
            File.Delete(broken);
        }
        var list = await _stand.CommandAsync("procedures/cmd/list", "");
        Assert.Equal(["burn-in", "guarded-wait", "hv-on", "iv-scan", "long-wait", "thermal-cycle", "wait-for-hv"],
            list.GetProperty("data").GetProperty("procedures").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var reloaded = await _stand.CommandAsync("procedures/cmd/reload", "");
        Assert.True(reloaded.GetProperty("ok").GetBoolean(), reloaded.ToString());
    }

    /// <summary>A number of procedures/status, null when this status has none (idle before any run has none).</summary>
    private static long? Number(JsonElement status, string key) => status.TryGetProperty(key, out var value) ? value.GetInt64() : null;

    private SqliteProcedureRunStore Store() => new(new Database(Path.Combine(_stand.Stand.DataDirectory, "trackerdcs.db")));
}
