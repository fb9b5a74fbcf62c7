using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.Interlocks;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Tests.Interlocks;

/// <summary>
/// The interlock engine in process: rules on views the test sets, time on a fake clock, actions through the real
/// command bus (audited in a SQLite file) to handlers standing in for the devices, refusals as the bus's guard.
/// </summary>
public sealed class InterlockEngineTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly TempDatabase _database = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ListLogger<InterlockEngine> _log = new();
    private readonly StandInView<CaenView> _caen = new(Views.Crate(Views.HvOn));
    private readonly StandInView<JulaboView> _julabo = new(Views.Chiller(JulaboState.On));
    private readonly StandInView<SensorsView> _sensors = new(Views.Environment(null));
    private readonly AuditLog _audit;
    private readonly CommandBus _bus;
    private readonly List<string> _sent = [];
    private Func<CommandRequest, CommandResult> _answer = _ => CommandResult.Done;

    public InterlockEngineTests()
    {
        _audit = new AuditLog(_database.Database, _clock);
        _bus = new CommandBus(_audit, new RecordingPublisher(), _clock, new ListLogger<CommandBus>());
        foreach (var topic in new[] { "dcs/cmd/switch/hv", "dcs/cmd/switch/lv", "julabo/cmd/stop", "julabo/cmd/start" })
            _bus.Register(topic, (r, _) =>
            {
                lock (_sent) _sent.Add($"{r.Topic} {r.Payload}".Trim());
                return Task.FromResult(_answer(r));
            });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // xUnit 2 ends a test class through IAsyncLifetime; it does not call IAsyncDisposable.
    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        _database.Dispose();
    }

    private List<string> Sent { get { lock (_sent) return [.. _sent]; } }

    private static InterlockRule Rule(string name, string when, double forSeconds = 0, double hysteresis = 0,
        InterlockAction[]? actions = null, string[]? refuse = null, AlarmSeverity severity = AlarmSeverity.Major) =>
        new(name, when, InterlockCondition.Parse(when, hysteresis), TimeSpan.FromSeconds(forSeconds), actions ?? [],
            [.. (refuse ?? []).Select(r => r.Split(' ', 2) is [var topic, var payload] ? new RefusedCommand(topic, payload) : new RefusedCommand(r, null))],
            severity, 1);

    private static readonly InterlockRule NoCooling = Rule("no-cooling", "crate.hv_on and chiller.state != ON", forSeconds: 60, actions: [InterlockAction.HvOff]);
    private static readonly InterlockRule Condensation = Rule("condensation", "environment.dewpoint_margin < 1", hysteresis: 0.5,
        actions: [InterlockAction.HvOff, InterlockAction.LvOff], refuse: ["dcs/cmd/switch/hv on", "dcs/cmd/switch/lv on"]);
    private static readonly InterlockRule HvNeedsCooling = Rule("hv-needs-cooling", "chiller.state != ON", refuse: ["dcs/cmd/switch/hv on"]);

    private InterlockEngine Engine(params InterlockRule[] rules) => Engine(rules, _julabo);

    private InterlockEngine Engine(InterlockRule[] rules, IDeviceView<JulaboView> julabo)
    {
        var engine = new InterlockEngine(rules, new InterlockSignals(_caen, julabo, _sensors), _bus, _caen, _clock, _log);
        _bus.AddGuard(engine.Refusal);
        return engine;
    }

    private void Margin(double margin) =>
        _sensors.Set(Views.Environment(coldest: 12.0, Views.Box("ESP01", _clock.GetUtcNow(), ("BME_dew", 12.0 - margin))));

    private IReadOnlyList<AuditEntry> AuditRows() => _audit.Query(_clock.GetUtcNow().AddHours(-1), _clock.GetUtcNow().AddHours(1));

    /// <summary>
    /// Waits for <paramref name="count"/> audit rows, each completed: the bus writes a command's row as pending before
    /// the command runs and completes it after, so a row read in between says ok false (a loaded run met that).
    /// </summary>
    private Task AuditedAsync(int count, string what) =>
        Eventually.True(() => AuditRows() is var rows && rows.Count == count && rows.All(r => r.Result != AuditLog.Pending), what);

    private Task<CommandResult> Panel(string topic, string payload) =>
        _bus.ExecuteAsync(new CommandRequest(topic, payload, "olivia", Role.Operator, CommandOrigin.Panel, "panel-1"));

    /// <summary>Moves the fake clock on a second at a time (the retry delay), letting the engine run between steps, until the condition holds.</summary>
    private async Task AdvanceUntil(Func<bool> condition, string what, int seconds = 300)
    {
        for (var i = 0; i < seconds && !condition(); i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5);
        }
        await Eventually.True(condition, what);
    }

    [Fact]
    public async Task A_rule_acts_once_its_condition_has_held_for_its_time_through_the_bus_as_interlock()
    {
        var engine = Engine(NoCooling);
        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));

        engine.Evaluate(_stop.Token);
        _clock.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromMilliseconds(1));
        engine.Evaluate(_stop.Token);
        Assert.Empty(engine.ActiveRules);
        Assert.Empty(engine.AlarmConditions());

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        engine.Evaluate(_stop.Token);
        Assert.Equal(["no-cooling"], engine.ActiveRules.Select(r => r.Name));
        await AuditedAsync(1, "the interlock's command audited");

        Assert.Equal(["dcs/cmd/switch/hv off"], Sent);
        var row = Assert.Single(AuditRows());
        Assert.Equal(("interlock", "internal", "interlock:no-cooling", "dcs/cmd/switch/hv", "off", true),
            (row.User, row.Origin, row.ClientId, row.Topic, row.Payload, row.Ok));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("Interlock no-cooling active"));

        // Active stays active: no second action while the condition holds.
        _clock.Advance(TimeSpan.FromMinutes(5));
        engine.Evaluate(_stop.Token);
        Assert.Single(AuditRows());
    }

    [Fact]
    public async Task A_condition_that_breaks_before_its_time_starts_the_count_again()
    {
        var engine = Engine(NoCooling);
        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));
        engine.Evaluate(_stop.Token);
        _clock.Advance(TimeSpan.FromSeconds(50));
        _julabo.Set(Views.Chiller(JulaboState.On));
        engine.Evaluate(_stop.Token);

        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));
        engine.Evaluate(_stop.Token);
        _clock.Advance(TimeSpan.FromSeconds(59));
        engine.Evaluate(_stop.Token);
        Assert.Empty(engine.ActiveRules);

        _clock.Advance(TimeSpan.FromSeconds(1));
        engine.Evaluate(_stop.Token);
        Assert.Single(engine.ActiveRules);
        await Eventually.True(() => Sent.Count == 1, "HV off");
    }

    [Fact]
    public async Task Actions_run_in_order_and_each_is_retried_until_the_state_machine_accepts_it()
    {
        var engine = Engine(Condensation);
        var lvRefusals = 0;
        _answer = r => r.Topic == "dcs/cmd/switch/lv" && Interlocked.Increment(ref lvRefusals) <= 3
            ? CommandResult.Refused("HV is live: LV must stay on")
            : CommandResult.Done;

        Margin(0.9);
        engine.Evaluate(_stop.Token);
        await AdvanceUntil(() => Sent.Count == 5, "LV off accepted at the fourth try");

        Assert.Equal(["dcs/cmd/switch/hv off", .. Enumerable.Repeat("dcs/cmd/switch/lv off", 4)], Sent);
        await AuditedAsync(5, "the five commands' rows completed");
        Assert.Equal([true, false, false, false, true], AuditRows().Reverse().Select(r => r.Ok));
        Assert.All(AuditRows(), r => Assert.Equal("interlock", r.User));
    }

    [Fact]
    public async Task An_action_still_refused_after_two_minutes_is_given_up_loudly()
    {
        var engine = Engine(Rule("stop-chiller", "sensor.max.BME_temp > 40", actions: [InterlockAction.ChillerStop, InterlockAction.Alarm]));
        _answer = _ => CommandResult.Refused("chiller is in manual mode");
        _sensors.Set(Views.Environment(null, Views.Box("ESP01", _clock.GetUtcNow(), ("BME_temp", 41.0))));

        var start = _clock.GetUtcNow();
        engine.Evaluate(_stop.Token);
        await AdvanceUntil(() => _log.Entries.Any(e => e.Level == LogLevel.Error), "the interlock giving up");

        var error = Assert.Single(_log.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal("Interlock stop-chiller: julabo/cmd/stop  still refused after 2 min: chiller is in manual mode", error.Text);
        Assert.True(_clock.GetUtcNow() - start > TimeSpan.FromMinutes(2), $"gave up after {_clock.GetUtcNow() - start}");
        Assert.All(Sent, s => Assert.Equal("julabo/cmd/stop", s));
        Assert.InRange(Sent.Count, 2, 122); // at most once a second of the clock for two minutes
        // The rule is still active, and says so as an alarm.
        Assert.Equal("interlock:stop-chiller", Assert.Single(engine.AlarmConditions()).Key);
    }

    [Fact]
    public async Task An_active_rule_refuses_its_commands_with_its_reason_until_it_clears_past_the_hysteresis()
    {
        var engine = Engine(Condensation);
        Margin(2.0);
        engine.Evaluate(_stop.Token);
        Assert.True((await Panel("dcs/cmd/switch/hv", "on")).Ok);

        Margin(0.9);
        engine.Evaluate(_stop.Token);
        var refused = await Panel("dcs/cmd/switch/hv", " ON ");
        Assert.Equal("interlock 'condensation' is active (environment.dewpoint_margin < 1): 'dcs/cmd/switch/hv on' is refused until it clears", refused.Error);
        Assert.False((await Panel("dcs/cmd/switch/lv", "on")).Ok);
        Assert.True((await Panel("dcs/cmd/switch/hv", "off")).Ok);
        Assert.True((await Panel("julabo/cmd/start", "")).Ok);
        // The process's own commands pass: an interlock must be able to act while another one is active.
        Assert.True((await _bus.ExecuteAsync(new CommandRequest("dcs/cmd/switch/hv", "on", "interlock", Role.Admin, CommandOrigin.Internal, "interlock:x"))).Ok);

        // Back above 1 °C but inside the band: still active.
        Margin(1.4);
        engine.Evaluate(_stop.Token);
        Assert.False((await Panel("dcs/cmd/switch/hv", "on")).Ok);

        Margin(1.5);
        engine.Evaluate(_stop.Token);
        Assert.Empty(engine.ActiveRules);
        Assert.True((await Panel("dcs/cmd/switch/hv", "on")).Ok);
        Assert.Contains(_log.Entries, e => e.Text == "Interlock condensation cleared: environment.dewpoint_margin < 1 no longer holds");
        Assert.Contains(AuditRows(), r => r.User == "olivia" && r.Result.Contains("interlock 'condensation' is active"));
    }

    [Fact]
    public void Only_rules_that_act_raise_an_alarm_with_their_severity()
    {
        var hot = Rule("hot-box", "sensor.max.BME_temp > 40", actions: [InterlockAction.Alarm], severity: AlarmSeverity.Warning);
        var engine = Engine(HvNeedsCooling, hot);
        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));
        _sensors.Set(Views.Environment(null, Views.Box("ESP01", _clock.GetUtcNow(), ("BME_temp", 45.0))));

        engine.Evaluate(_stop.Token);

        Assert.Equal(["hv-needs-cooling", "hot-box"], engine.ActiveRules.Select(r => r.Name));
        var alarm = Assert.Single(engine.AlarmConditions());
        Assert.Equal(("interlock:hot-box", AlarmSeverity.Warning), (alarm.Key, alarm.Definition.Severity));
        Assert.Equal("interlock 'hot-box' active: sensor.max.BME_temp > 40 → Alarm", alarm.Message);
        Assert.Empty(Sent); // the alarm action sends no command
    }

    [Fact]
    public void An_interlock_that_acted_and_cleared_between_two_alarm_evaluations_still_leaves_its_latching_alarm()
    {
        var engine = Engine(Condensation);
        Margin(0.9);
        engine.Evaluate(_stop.Token);
        Margin(1.6);
        engine.Evaluate(_stop.Token);
        Assert.Empty(engine.ActiveRules);

        // The alarm evaluation that comes next sees it once, so the alarm is raised, and then latches.
        var alarm = Assert.Single(engine.AlarmConditions());
        Assert.Equal("interlock:condensation", alarm.Key);
        Assert.True(alarm.Definition.Latching);
        Assert.Empty(engine.AlarmConditions());
    }

    [Fact]
    public void Unknown_values_never_make_a_rule_active()
    {
        var engine = Engine(NoCooling with { For = TimeSpan.Zero }, Condensation);
        _caen.Set(Views.Crate(CaenView.Disconnected));       // crate.hv_on is unknown
        _julabo.Set(Views.Chiller(JulaboState.Disconnected, code: null));
        _sensors.Set(Views.Environment(coldest: null, Views.Box("ESP01", _clock.GetUtcNow(), ("BME_dew", 11.0))));

        engine.Evaluate(_stop.Token);

        Assert.Empty(engine.ActiveRules);
    }

    [Fact]
    public void A_rule_whose_evaluation_throws_is_logged_and_the_other_rules_still_work()
    {
        var engine = Engine([HvNeedsCooling, Condensation], new BrokenView());
        Margin(0.5);

        engine.Evaluate(_stop.Token);

        Assert.Equal(["condensation"], engine.ActiveRules.Select(r => r.Name));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Text.StartsWith("Interlock hv-needs-cooling: evaluation failed"));
    }

    private sealed class BrokenView : IDeviceView<JulaboView>
    {
        public JulaboView View => throw new InvalidOperationException("the chiller's view could not be built");
        public event Action? Changed { add { } remove { } }
    }

    [Fact]
    public async Task A_refusal_is_judged_on_the_values_of_the_commands_moment_not_on_the_last_pass()
    {
        // The engine passes over its rules every 250 ms. A command in between used to be judged on the last pass: HV
        // on was refused as "chiller.state != ON" just after the chiller had started (a stand test met it under
        // load), and let through just after the chiller had stopped.
        var engine = Engine(HvNeedsCooling);
        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));
        engine.Evaluate(_stop.Token);
        Assert.StartsWith("interlock 'hv-needs-cooling' is active", (await Panel("dcs/cmd/switch/hv", "on")).Error);

        _julabo.Set(Views.Chiller(JulaboState.On));
        Assert.True((await Panel("dcs/cmd/switch/hv", "on")).Ok, "HV on once the chiller runs, before the next pass");

        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));
        Assert.StartsWith("interlock 'hv-needs-cooling' is active", (await Panel("dcs/cmd/switch/hv", "on")).Error);
        Assert.Equal(["dcs/cmd/switch/hv on"], Sent);
    }

    [Fact]
    public async Task A_refusal_between_passes_keeps_the_rules_hysteresis()
    {
        // Condensation: active below a margin of 1 K, cleared only at 1.5 K (hysteresis 0.5).
        var engine = Engine(Condensation);
        Margin(0.5);
        engine.Evaluate(_stop.Token);
        await Eventually.True(() => Sent.Count == 2, "the condensation interlock's HV off and LV off");

        Margin(1.2);
        Assert.StartsWith("interlock 'condensation' is active", (await Panel("dcs/cmd/switch/lv", "on")).Error);
        Margin(2.0);
        Assert.True((await Panel("dcs/cmd/switch/lv", "on")).Ok, "LV on once the margin is back beyond the hysteresis");
    }

    [Fact]
    public async Task A_rule_that_waits_before_it_acts_refuses_only_once_it_has_acted()
    {
        var rule = Rule("slow-refusal", "chiller.state != ON", forSeconds: 10, refuse: ["dcs/cmd/switch/hv on"]);
        var engine = Engine(rule);
        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));
        engine.Evaluate(_stop.Token);
        Assert.True((await Panel("dcs/cmd/switch/hv", "on")).Ok, "its 10 s have not passed");

        _clock.Advance(TimeSpan.FromSeconds(10));
        engine.Evaluate(_stop.Token);
        Assert.StartsWith("interlock 'slow-refusal' is active", (await Panel("dcs/cmd/switch/hv", "on")).Error);
    }

    [Fact]
    public async Task The_shipped_rules_refuse_hv_without_cooling_and_switch_it_off_after_a_minute()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../.."));
        var engine = Engine([.. InterlockFile.Load(Path.Combine(root, "interlocks.yml"))]);
        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));

        engine.Evaluate(_stop.Token);
        Assert.StartsWith("interlock 'no-hv-without-cooling' is active (chiller.state != ON)", (await Panel("dcs/cmd/switch/hv", "on")).Error);
        Assert.Empty(Sent);

        _clock.Advance(TimeSpan.FromSeconds(60));
        engine.Evaluate(_stop.Token);
        await Eventually.True(() => Sent.Count == 1, "HV off by the interlock");
        Assert.Equal(["dcs/cmd/switch/hv off"], Sent);
    }

    [Fact]
    public async Task The_service_evaluates_on_the_clock_it_is_given()
    {
        var engine = Engine(NoCooling with { For = TimeSpan.FromSeconds(1) });
        _julabo.Set(Views.Chiller(JulaboState.Off, code: 2));
        await engine.StartAsync(_stop.Token);
        try
        {
            for (var i = 0; i < 100 && Sent.Count == 0; i++)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(250));
                await Task.Delay(10);
            }
            await Eventually.True(() => Sent.Count == 1, "HV off once the rule held for 1 s of the fake clock");
            Assert.Equal(["no-cooling"], engine.ActiveRules.Select(r => r.Name));
        }
        finally
        {
            await engine.StopAsync(CancellationToken.None);
        }
    }
}
