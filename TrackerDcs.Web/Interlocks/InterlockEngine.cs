using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Interlocks;

/// <summary>
/// Evaluates the interlock rules continuously on live values. When a condition has held for its duration the
/// rule becomes active: its actions go through the command bus as the user `interlock` (validated and
/// audited like any command, retried until the state machine accepts them: LV off waits for HV to be off),
/// its refused commands are refused, and an alarm says why. It ends when the condition clears (with hysteresis).
/// </summary>
public sealed class InterlockEngine : BackgroundService, IAlarmSource
{
    public const string User = "interlock";
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RetryFor = TimeSpan.FromMinutes(2);
    private readonly IReadOnlyList<InterlockRule> _rules;
    private readonly InterlockSignals _signals;
    private readonly CommandBus _bus;
    private readonly IDeviceView<CaenView> _caen;
    private readonly TimeProvider _time;
    private readonly ILogger<InterlockEngine> _log;
    private readonly Dictionary<string, RuleState> _states;

    private sealed class RuleState
    {
        public DateTimeOffset? TrueSince;
        public volatile bool Active;
        /// <summary>Acted, and no alarm evaluation has seen it since: its alarm must be raised even if it cleared already.</summary>
        public volatile bool Unreported;
    }

    public InterlockEngine(IReadOnlyList<InterlockRule> rules, InterlockSignals signals, CommandBus bus, IDeviceView<CaenView> caen,
        TimeProvider time, ILogger<InterlockEngine> log)
    {
        _rules = rules;
        _signals = signals;
        _bus = bus;
        _caen = caen;
        _time = time;
        _log = log;
        _states = rules.ToDictionary(r => r.Name, _ => new RuleState());
    }

    /// <summary>The rules the last pass made active (for tests, as <see cref="Evaluate"/>); a refusal judges its rule at the command's moment.</summary>
    internal IEnumerable<InterlockRule> ActiveRules => _rules.Where(r => _states[r.Name].Active);

    /// <summary>
    /// One alarm per interlock that acts, for the alarm evaluator: while it is active, and once more after it acted
    /// if it cleared before an evaluation saw it (HV off ends a condensation risk within a second). The alarm
    /// latches, so what the interlock did and why stays listed until someone acknowledges it. A rule that only
    /// refuses commands (no HV without cooling) raises none: its refusal already says why, and an idle stand is not
    /// an alarm.
    /// </summary>
    public IEnumerable<AlarmCondition> AlarmConditions()
    {
        var conditions = new List<AlarmCondition>();
        foreach (var rule in _rules.Where(r => r.Actions.Count > 0))
        {
            var state = _states[rule.Name];
            if (!state.Active && !state.Unreported) continue;
            state.Unreported = false;
            conditions.Add(new AlarmCondition(
                new AlarmDefinition(AlarmCatalog.InterlockCode, rule.Severity, AlarmCatalog.InterlockGuidance(rule.Name, rule.When, Describe(rule)), Latching: true),
                rule.Name, $"interlock '{rule.Name}' active: {rule.When} → {Describe(rule)}"));
        }
        return conditions;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, _time);
        try
        {
            do Evaluate(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>One pass over the rules (the service calls it every <see cref="Period"/>; a test calls it at the fake clock's times).</summary>
    internal void Evaluate(CancellationToken stoppingToken)
    {
        var now = _time.GetUtcNow();
        foreach (var rule in _rules)
        {
            var state = _states[rule.Name];
            bool holds;
            try
            {
                holds = rule.Condition.Evaluate(_signals.Read, state.Active);
            }
            catch (Exception e)
            {
                _log.LogError(e, "Interlock {Rule}: evaluation failed", rule.Name);
                continue;
            }
            if (!holds)
            {
                state.TrueSince = null;
                if (state.Active)
                {
                    state.Active = false;
                    _log.LogInformation("Interlock {Rule} cleared: {When} no longer holds", rule.Name, rule.When);
                }
                continue;
            }
            state.TrueSince ??= now;
            if (state.Active || now - state.TrueSince < rule.For) continue;
            state.Active = true;
            state.Unreported = rule.Actions.Count > 0;
            // A rule that only refuses commands is the normal state of an idle stand (no HV without cooling).
            _log.Log(rule.Actions.Count > 0 ? LogLevel.Warning : LogLevel.Information,
                "Interlock {Rule} active: {When} held for {For} s → {Actions}", rule.Name, rule.When, rule.For.TotalSeconds, Describe(rule));
            _ = Task.Run(() => ActAsync(rule, stoppingToken), stoppingToken);
        }
    }

    private async Task ActAsync(InterlockRule rule, CancellationToken stoppingToken)
    {
        foreach (var action in rule.Actions)
        {
            if (Command(action) is not ({ } topic, { } payload)) continue;
            var deadline = _time.GetUtcNow() + RetryFor;
            while (!stoppingToken.IsCancellationRequested)
            {
                var request = new CommandRequest(topic, payload, User, Role.Admin, CommandOrigin.Internal, $"interlock:{rule.Name}");
                var result = await _bus.ExecuteAsync(request, stoppingToken);
                if (result.Ok) break;
                if (_time.GetUtcNow() > deadline)
                {
                    _log.LogError("Interlock {Rule}: {Topic} {Payload} still refused after {Minutes} min: {Error}", rule.Name, topic, payload, RetryFor.TotalMinutes, result.Error);
                    break;
                }
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken);
            }
        }
    }

    private (string Topic, string Payload)? Command(InterlockAction action) => action switch
    {
        InterlockAction.HvOff => ($"{_caen.View.Root}/cmd/switch/hv", "off"),
        InterlockAction.LvOff => ($"{_caen.View.Root}/cmd/switch/lv", "off"),
        InterlockAction.ChillerStop => ($"{JulaboTopics.Root}/cmd/stop", ""),
        _ => null, // the alarm is raised for every active interlock
    };

    /// <summary>The command guard (installed on the bus by UseInterlocks): null, or why an active interlock refuses the command.</summary>
    public string? Refusal(CommandRequest request)
    {
        if (request.Origin == CommandOrigin.Internal) return null;
        foreach (var rule in _rules)
            if (rule.Refuse.FirstOrDefault(r => r.Matches(request.Topic, request.Payload)) is { } refused && RefusesNow(rule))
                return $"interlock '{rule.Name}' is active ({rule.When}): '{refused}' is refused until it clears";
        return null;
    }

    /// <summary>
    /// Whether the rule refuses a command now. Its condition is evaluated on the values of this moment, with the
    /// rule's hysteresis: the last pass may be up to a <see cref="Period"/> old, and judged on it a command just
    /// after the chiller stopped got through, and one just after it started was refused as "chiller.state != ON".
    /// A rule that waits <c>for</c> a time before it acts refuses only once the pass has made it active; a
    /// condition that cannot be evaluated keeps what the last pass decided (the pass logs the failure).
    /// </summary>
    private bool RefusesNow(InterlockRule rule)
    {
        var active = _states[rule.Name].Active;
        if (!active && rule.For > TimeSpan.Zero) return false;
        try
        {
            return rule.Condition.Evaluate(_signals.Read, active);
        }
        catch (Exception)
        {
            return active;
        }
    }

    private static string Describe(InterlockRule rule) => string.Join(", ",
        rule.Actions.Select(a => a.ToString()).Concat(rule.Refuse.Select(r => $"refuse {r}")));
}
