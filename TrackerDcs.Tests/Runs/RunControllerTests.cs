using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.Runs;

namespace TrackerDcs.Tests.Runs;

/// <summary>
/// The run controller in process: the stand stood in for by views the test sets, the run store in a SQLite file,
/// the broker by a recorder, time on a fake clock, and the program a real child process: this build's fake Ph2_ACF
/// (`TrackerDcs fake-ph2acf`, the apphost beside the tests).
/// </summary>
public sealed class RunControllerTests : IAsyncLifetime
{
    private static readonly string FakePh2Acf = Path.Combine(AppContext.BaseDirectory, "TrackerDcs");

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly TempDatabase _database = new();
    private readonly RecordingPublisher _publisher = new();
    private readonly ListLogger<RunController> _log = new();
    private readonly StandInView<CaenView> _caen = new(Views.Crate(Views.HvOn, Views.Channel("0", "module_0"), Views.Channel("1", "module_1"), Views.Channel("2", null)));
    private readonly StandInView<JulaboView> _julabo = new(Views.Chiller(JulaboState.On));
    private readonly StandInView<SensorsView> _sensors = new(Views.Environment(null));
    private readonly RecordingSink _events = new();
    private readonly SqliteRunStore _store;
    private readonly RunsOptions _options = new()
    {
        InlineResultBytes = 2048,
        StopGracePeriod = TimeSpan.FromSeconds(1),
        Calibrations = new()
        {
            ["quick"] = Fake("--seconds", "0.5"),
            ["slow"] = Fake("--seconds", "60"),
            ["fails"] = Fake("--seconds", "0.5", "--fail"),
            ["hv-run"] = With(Fake("--seconds", "60"), c => c.CrateState = "HV_ON"),
            ["timed"] = With(Fake("--seconds", "60"), c => c.Timeout = TimeSpan.FromMinutes(10)),
            ["cooled"] = With(Fake("--seconds", "0.5"), c => c.ChillerTolerance = 2),
            ["dry"] = With(Fake("--seconds", "0.5"), c => c.MinDewPointMargin = 3),
            ["missing"] = new() { Executable = "/nonexistent/bin/ph2acf" },
            ["with-hw"] = new() { Executable = FakePh2Acf, HardwareDescription = "/nonexistent/CMSIT.xml", Arguments = ["--hw", "{hw}"] },
        },
    };

    public RunControllerTests() => _store = new SqliteRunStore(_database.Database);

    public Task InitializeAsync() => Task.CompletedTask;

    // xUnit 2 ends a test class through IAsyncLifetime; it does not call IAsyncDisposable.
    public async Task DisposeAsync()
    {
        // A run a failed test left going is stopped like at shutdown: no fake outlives the test.
        foreach (var controller in _controllers) await controller.ShutdownAsync();
        _database.Dispose();
    }

    private readonly List<RunController> _controllers = [];

    private static CalibrationOptions Fake(params string[] options) => new()
    {
        Executable = FakePh2Acf,
        Arguments = ["fake-ph2acf", "--run", "{run}", "--out", "{out}", "--modules", "{modules}", .. options],
        ResultFiles = ["Results_Run*.txt", "Hist_Run*.root"],
        Timeout = TimeSpan.FromMinutes(5),
    };

    private static CalibrationOptions With(CalibrationOptions calibration, Action<CalibrationOptions> change)
    {
        change(calibration);
        return calibration;
    }

    private RunController Controller(IConditionsQuery? conditions = null)
    {
        var alarms = new AlarmManager(new AlarmHistory(_database.Database, _clock), _publisher, _clock, new ListLogger<AlarmManager>());
        var controller = new RunController(_options, _store, _caen, new Preconditions(_caen, _julabo, _sensors),
            new ConditionsSnapshot(_caen, _julabo, _sensors, alarms, _clock), _publisher, _database.Data, _clock, _log, _events, conditions);
        _controllers.Add(controller);
        return controller;
    }

    private static StartRequest Request(string calibration, params string[] modules) =>
        new(calibration, modules.Length == 0 ? ["module_0"] : modules, "in-process test");

    private static async Task Ended(RunController controller) =>
        await Eventually.True(() => controller.Active is null, "the run's end", seconds: 60);

    private List<JsonElement> Statuses() => [.. _publisher.Payloads("ph2acf/status").Select(p => JsonDocument.Parse(p).RootElement)];

    private sealed class RecordingSink : IRunEventSink
    {
        public ConcurrentQueue<(string Name, long Run, long TimeMs)> Written { get; } = new();

        public Task WriteAsync(RunEvent runEvent, CancellationToken ct = default)
        {
            Written.Enqueue((runEvent.Event, runEvent.Run.Run, runEvent.TimeMs));
            return Task.CompletedTask;
        }
    }

    [Theory]
    [InlineData("scan", "module_0", "unknown calibration 'scan' (known: cooled, dry, fails, hv-run, missing, quick, slow, timed, with-hw)")]
    [InlineData("quick", "module_7", "module 'module_7' is not in channels.yml (modules: module_0, module_1)")]
    [InlineData("missing", "module_0", "executable '/nonexistent/bin/ph2acf' of calibration 'missing' not found")]
    [InlineData("with-hw", "module_0", "hardware description file '/nonexistent/CMSIT.xml' does not exist")]
    [InlineData("dry", "module_0", "precondition failed: dew-point margin unknown (no sensor box with humidity, or no chiller temperature)")]
    public async Task A_start_that_cannot_run_is_refused_with_its_reason_and_spends_no_run_number(string calibration, string module, string reason)
    {
        var controller = Controller();

        var result = await controller.StartAsync(Request(calibration, module), "olivia", CancellationToken.None);

        Assert.Equal(reason, result.Error);
        Assert.Null(controller.Active);
        Assert.Empty(await _store.ListAsync(10));
        Assert.Equal(1, await _store.NextRunNumberAsync());
    }

    [Fact]
    public async Task Preconditions_on_the_crate_the_chiller_and_the_dew_point_are_checked_against_the_views()
    {
        var controller = Controller();
        async Task<string?> Refusal(string calibration) => (await controller.StartAsync(Request(calibration), "olivia", CancellationToken.None)).Error;

        _caen.Set(Views.Crate(Views.LvOn, Views.Channel("0", "module_0")));
        Assert.Equal("precondition failed: crate is LV_ON, the calibration needs HV_ON", await Refusal("hv-run"));

        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));
        Assert.Equal("precondition failed: chiller is OFF, the calibration needs it ON", await Refusal("cooled"));
        _julabo.Set(Views.Chiller(JulaboState.On, bath: 22.5, setpoint: 20));
        Assert.Equal("precondition failed: chiller bath 22.5 °C is not within 2 °C of its set point 20.0 °C", await Refusal("cooled"));

        _sensors.Set(Views.Environment(coldest: 12.0, Views.Box("ESP01", _clock.GetUtcNow(), ("BME_dew", 9.5))));
        Assert.Equal("precondition failed: dew-point margin 2.5 °C is not above 3 °C", await Refusal("dry"));
        Assert.Empty(await _store.ListAsync(10));
    }

    [Fact]
    public async Task A_run_is_recorded_from_start_to_finish_with_its_results_log_conditions_and_events()
    {
        var controller = Controller();

        var started = await controller.StartAsync(Request("quick", "module_0", "module_1"), "olivia", CancellationToken.None);

        Assert.True(started.Ok, started.Error);
        Assert.Equal(1, started.Data!["run"]!.GetValue<long>());
        // "running" is out before the start is answered, however short the program is.
        var running = Assert.Single(Statuses());
        Assert.Equal(("running", 1), (running.GetProperty("state").GetString(), running.GetProperty("run").GetInt64()));
        var output = started.Data["output_directory"]!.GetValue<string>();
        Assert.Equal(Path.Combine(_database.Data.Path, "runs", "run-1"), output);
        var going = (await _store.GetAsync(1))!;
        Assert.Equal((RunState.Running, "olivia", "in-process test"), (going.State, going.Operator, going.Comment));
        Assert.Equal([FakePh2Acf, "fake-ph2acf", "--run", "1", "--out", output, "--modules", "module_0,module_1", "--seconds", "0.5"], going.Command);
        Assert.NotNull(going.Pid);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds(), going.StartMs);
        Assert.Equal("HV_ON", going.ConditionsStart!["crate"]!["fsm_state"]!.GetValue<string>());

        await Ended(controller);

        var done = (await _store.GetAsync(1))!;
        Assert.Equal((RunState.Finished, 0, (string?)null), (done.State, done.ExitCode, done.Reason));
        Assert.NotNull(done.ConditionsEnd);
        Assert.Equal(["Hist_Run1.root", "Results_Run1.txt", "ph2acf-run-1.log"], done.Results.Select(r => r.Name));
        // Small files inline, the 4 KiB histogram as a blob, each with the hash of what is on disk.
        var summary = done.Results[1];
        Assert.Contains("pedestal 42.0", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(summary.ContentBase64!)));
        var histogram = done.Results[0];
        Assert.Null(histogram.ContentBase64);
        var blob = await _store.GetBlobAsync(histogram.BlobId!);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(output, "Hist_Run1.root")), blob);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(blob!)), histogram.Sha256);
        Assert.Contains("Calibration done", await File.ReadAllTextAsync(Path.Combine(output, "ph2acf-run-1.log")));

        var logLines = _publisher.Payloads("ph2acf/log").Select(p => JsonDocument.Parse(p).RootElement).ToList();
        Assert.All(logLines, l => Assert.Equal(1, l.GetProperty("run").GetInt64()));
        Assert.Contains(logLines, l => l.GetProperty("line").GetString() == "Progress: 100%");
        var statuses = Statuses();
        Assert.Equal("running", statuses[0].GetProperty("state").GetString());
        var last = statuses[^1];
        Assert.Equal(("finished", 1, 100.0, 0), (last.GetProperty("state").GetString(), last.GetProperty("run").GetInt64(),
            last.GetProperty("progress").GetDouble(), last.GetProperty("exit_code").GetInt32()));
        Assert.All(_publisher.Messages.Where(m => m.Topic == "ph2acf/status"), m => Assert.True(m.Retain));
        Assert.Equal([("start", 1L), ("end", 1L)], _events.Written.Select(e => (e.Name, e.Run)));
    }

    [Fact]
    public async Task One_run_at_a_time_and_a_stop_ends_the_program_and_records_who_stopped_it()
    {
        var controller = Controller();
        Assert.True((await controller.StartAsync(Request("slow"), "olivia", CancellationToken.None)).Ok);
        var pid = (await _store.GetAsync(1))!.Pid!.Value;

        Assert.Equal("run 1 (slow) is going; stop it first", (await controller.StartAsync(Request("quick"), "oscar", CancellationToken.None)).Error);

        var stopped = await controller.StopAsync("oscar");

        Assert.Equal("""{"run":1,"state":"stopped"}""", stopped.Data!.ToJsonString());
        Assert.Null(controller.Active);
        Assert.True(RunStand.IsGone(pid), $"the fake (pid {pid}) still runs");
        var document = (await _store.GetAsync(1))!;
        Assert.Equal((RunState.Stopped, "stopped by oscar"), (document.State, document.Reason));
        Assert.Equal("stopped", Statuses()[^1].GetProperty("state").GetString());
        Assert.Equal("no run is going", (await controller.StopAsync("oscar")).Error);
        Assert.Single(await _store.ListAsync(10));
    }

    [Fact]
    public async Task A_program_that_fails_is_recorded_as_failed_with_its_exit_code_and_its_stderr_in_the_log()
    {
        var controller = Controller();
        Assert.True((await controller.StartAsync(Request("fails"), "olivia", CancellationToken.None)).Ok);

        await Ended(controller);

        var document = (await _store.GetAsync(1))!;
        Assert.Equal((RunState.Failed, 3, "exit code 3"), (document.State, document.ExitCode, document.Reason));
        Assert.Contains("[stderr] ERROR: lost the FC7 board", await File.ReadAllTextAsync(Path.Combine(document.OutputDirectory, "ph2acf-run-1.log")));
        Assert.Equal("failed", Statuses()[^1].GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_run_past_its_time_out_on_the_clock_is_stopped()
    {
        var controller = Controller();
        Assert.True((await controller.StartAsync(Request("timed"), "olivia", CancellationToken.None)).Ok);

        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        await Ended(controller);

        var document = (await _store.GetAsync(1))!;
        Assert.Equal((RunState.Stopped, "time-out after 600 s"), (document.State, document.Reason));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Text.StartsWith("Run 1: time-out after 600 s; SIGTERM"));
    }

    [Fact]
    public async Task A_run_is_stopped_when_the_crate_leaves_the_state_it_needs()
    {
        var controller = Controller();
        Assert.True((await controller.StartAsync(Request("hv-run"), "olivia", CancellationToken.None)).Ok);

        _caen.Set(Views.Crate(CaenView.Error, Views.Channel("0", "module_0")));
        await Ended(controller);

        var document = (await _store.GetAsync(1))!;
        Assert.Equal((RunState.Stopped, "interlock: crate is ERROR, the calibration needs HV_ON"), (document.State, document.Reason));
        Assert.Equal("ERROR", document.ConditionsEnd!["crate"]!["fsm_state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_program_that_cannot_be_started_spends_its_number_on_a_failed_document()
    {
        var notExecutable = Path.Combine(_database.Data.Path, "ph2acf-not-executable");
        await File.WriteAllTextAsync(notExecutable, "not a program");
        _options.Calibrations["broken"] = new() { Executable = notExecutable };
        var controller = Controller();

        var result = await controller.StartAsync(Request("broken"), "olivia", CancellationToken.None);

        Assert.StartsWith($"run 1 not started: could not start '{notExecutable}': ", result.Error);
        var document = (await _store.GetAsync(1))!;
        Assert.Equal((RunState.Failed, document.StartMs), (document.State, document.EndMs));
        Assert.Null(controller.Active);
        Assert.Equal(2, await _store.NextRunNumberAsync()); // numbers are never reused
    }

    [Fact]
    public async Task A_broker_that_refuses_every_publish_does_not_keep_a_run_from_being_recorded()
    {
        _publisher.Failure = new InvalidOperationException("broker not started");
        var controller = Controller();
        Assert.True((await controller.StartAsync(Request("quick"), "olivia", CancellationToken.None)).Ok);

        await Ended(controller);

        Assert.Equal(RunState.Finished, (await _store.GetAsync(1))!.State);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Text.StartsWith("Could not publish ph2acf/status"));
    }

    [Fact]
    public async Task At_start_a_run_a_crash_left_running_is_marked_failed_and_the_status_says_idle_with_it()
    {
        var controller = Controller();
        await controller.InitializeAsync(CancellationToken.None);
        Assert.Equal("""{"state":"idle"}""", Assert.Single(_publisher.Payloads("ph2acf/status")));

        await _store.SaveAsync(new RunDocument { Run = await _store.NextRunNumberAsync(), Calibration = "quick", Modules = ["module_0"], StartMs = 1000 });
        await Controller().InitializeAsync(CancellationToken.None);

        var orphan = (await _store.GetAsync(1))!;
        Assert.Equal((RunState.Failed, "TrackerDcs stopped during the run; its end was not recorded"), (orphan.State, orphan.Reason));
        var status = JsonDocument.Parse(_publisher.Payloads("ph2acf/status")[^1]).RootElement;
        Assert.Equal(("idle", 1, "quick"), (status.GetProperty("state").GetString(), status.GetProperty("run").GetInt64(), status.GetProperty("calibration").GetString()));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Text.StartsWith("Run 1 was left running by a previous process"));
    }

    [Fact]
    public async Task The_conditions_of_a_run_come_from_influxdb_when_it_answers_else_from_the_runs_own_snapshots()
    {
        await _store.SaveAsync(new RunDocument
        {
            Run = await _store.NextRunNumberAsync(), Calibration = "quick", State = RunState.Finished, StartMs = 1000, EndMs = 5000,
            ConditionsStart = new JsonObject { ["crate"] = "start" }, ConditionsEnd = new JsonObject { ["crate"] = "end" },
        });

        Assert.Equal("no run 2", (await Controller().ConditionsAsync(2, CancellationToken.None)).Error);

        var snapshots = (await Controller().ConditionsAsync(1, CancellationToken.None)).Data!;
        Assert.Equal("""{"run":1,"from_ms":1000,"to_ms":5000,"source":"snapshots","conditions":{"start":{"crate":"start"},"end":{"crate":"end"}}}""", snapshots.ToJsonString());

        var influx = new Query(_ => new JsonObject { ["caen"] = new JsonArray() });
        var joined = (await Controller(influx).ConditionsAsync(1, CancellationToken.None)).Data!;
        Assert.Equal(("influxdb", (1000L, 5000L)), (joined["source"]!.GetValue<string>(), influx.Asked.Single()));

        var away = (await Controller(new Query(_ => throw new HttpRequestException("connection refused"))).ConditionsAsync(1, CancellationToken.None)).Data!;
        Assert.Equal(("snapshots", "connection refused"), (away["source"]!.GetValue<string>(), away["influxdb_error"]!.GetValue<string>()));
    }

    private sealed class Query(Func<(long, long), JsonObject> answer) : IConditionsQuery
    {
        public List<(long, long)> Asked { get; } = [];

        public Task<JsonObject> QueryAsync(long fromMs, long toMs, CancellationToken ct = default)
        {
            Asked.Add((fromMs, toMs));
            return Task.FromResult(answer((fromMs, toMs)));
        }
    }

    [Fact]
    public async Task Two_starts_at_the_same_moment_give_one_run()
    {
        var controller = Controller();
        // Without the command bus's queue in front: the controller itself keeps to one run at a time.
        var starts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => controller.StartAsync(Request("slow"), "olivia", CancellationToken.None))));

        Assert.Single(starts, s => s.Ok);
        Assert.All(starts.Where(s => !s.Ok), s => Assert.Matches("^(run 1 \\(slow\\) is going; stop it first|another run is being started)$", s.Error));
        Assert.Single(await _store.ListAsync(10));
        await controller.StopAsync("olivia");
    }
}
