using System.Globalization;
using System.Text.Json.Nodes;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Interlocks;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// Runs one procedure at a time. Every command a step sends goes through the command bus as the user
/// "procedure:&lt;name&gt; for &lt;operator&gt;" with the operator's role, so it is authorized, refused by active
/// interlocks, checked by the device's state machine and audited like the operator's own. A refused command, a
/// wait_until that times out, a fatal alarm or an abort ends the run failed after its on_abort steps have
/// brought the stand to a safe state. The run's record is saved after every step; one a crash leaves behind is
/// marked failed at the next start, and never resumed.
/// </summary>
public sealed partial class ProcedureRunner(
    ProcedureCatalog catalog,
    IProcedureRunStore store,
    CommandBus bus,
    InterlockSignals signals,
    IDeviceView<JulaboView> julabo,
    IDeviceView<CaenView> caen,
    AlarmManager alarms,
    RunController runs,
    ChannelMap channels,
    IMqttPublisher publisher,
    ProcedureEvents events,
    TimeProvider time,
    ILogger<ProcedureRunner> log)
{
    public const string Root = "procedures";
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a chiller ramp waits for the chiller's first reading of its set point: several of its polls.</summary>
    private static readonly TimeSpan SetpointWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StatusPeriod = TimeSpan.FromSeconds(1);
    /// <summary>How long an on_abort command is retried: LV off is refused until HV has ramped down.</summary>
    private static readonly TimeSpan OnAbortRetryFor = TimeSpan.FromMinutes(2);
    private readonly Lock _gate = new();
    private ActiveProcedure? _active;
    private Task _running = Task.CompletedTask;
    private volatile bool _orphansChecked;

    public ActiveProcedure? Active { get { lock (_gate) return _active; } }

    /// <summary>
    /// At start, before any command: a run a crash left running is marked failed; it never resumes. A store that is away
    /// at start (MongoDB) does not stop the stand: the check is made again before the next start, which waits for it.
    /// </summary>
    public void FailOrphans()
    {
        if (CheckOrphans() is { } problem)
            log.LogError("Procedure run store {Kind} not usable at start ({Error}): runs a crash left going are marked failed before the next procedure starts",
                store.Kind, problem);
    }

    /// <summary>Null once the runs a crash left going are marked failed, else why the store could not be read or written.</summary>
    private string? CheckOrphans()
    {
        if (_orphansChecked) return null;
        try
        {
            foreach (var orphan in store.Unfinished())
            {
                orphan.State = ProcedureState.Failed;
                orphan.Reason = $"TrackerDcs stopped during the procedure (in step {orphan.Steps.Count} of {orphan.StepCount}); a procedure never resumes by itself";
                // The end is the last moment the record knows of; when the process died exactly is not known.
                orphan.EndMs = orphan.Steps.LastOrDefault() is { } last ? last.EndMs ?? last.StartMs : orphan.StartMs;
                store.Save(orphan);
                log.LogWarning("Procedure run {Run} ({Procedure}) was left running by a previous process; marked failed", orphan.Run, orphan.Procedure);
            }
        }
        catch (Exception e)
        {
            return e.Message;
        }
        _orphansChecked = true;
        return null;
    }

    /// <summary>procedures/status once the broker runs: idle, with the last run and how it ended.</summary>
    public async Task PublishIdleAsync(CancellationToken ct)
    {
        if (Active is not null) return;
        ProcedureRunDocument? last;
        try
        {
            last = store.List(1).FirstOrDefault();
        }
        catch (Exception e)
        {
            // Idle all the same: the store being away must not keep the status from the bus.
            log.LogError("Procedure runs: the last run cannot be read ({Error}); procedures/status says idle without it", e.Message);
            last = null;
        }
        await PublishStatusAsync(last is null ? new JsonObject { ["state"] = "idle" } : StatusOf(last, idle: true), ct);
    }

    public async Task<CommandResult> StartAsync(ProcedureStart request, string user, Role role)
    {
        if (CheckOrphans() is { } unread)
            return CommandResult.Refused($"the procedure runs cannot be read ({unread}): a run a crash left going must be marked failed first; not started");
        if (catalog.Find(request.Name) is not { } procedure)
            return CommandResult.Refused($"unknown procedure '{request.Name}' (known: {string.Join(", ", catalog.Names)})");
        if (request.Parameters.Keys.FirstOrDefault(k => procedure.Parameter(k) is null) is { } unknown)
            return CommandResult.Refused($"procedure '{procedure.Name}' has no parameter '{unknown}' ({(procedure.Parameters.Count == 0 ? "it has none" : "its parameters: " + string.Join(", ", procedure.Parameters.Select(p => p.Name)))})");
        var parameters = procedure.Parameters.ToDictionary(p => p.Name, p => request.Parameters.GetValueOrDefault(p.Name, p.Default));
        if (procedure.Parameters.Select(p => p.Check(parameters[p.Name])).FirstOrDefault(problem => problem is not null) is { } outOfBounds)
            return CommandResult.Refused(outOfBounds);
        var known = caen.View.Modules.ToHashSet();
        if (request.Modules.FirstOrDefault(m => !known.Contains(m)) is { } module)
            return CommandResult.Refused($"module '{module}' is not in channels.yml (modules: {string.Join(", ", known.Order())})");
        if (request.Modules.Count == 0 && NeedsModules(procedure.Steps.Concat(procedure.OnAbort)))
            return CommandResult.Refused($"procedure '{procedure.Name}' calibrates or scans the run's modules: name them (\"modules\": [...])");
        IReadOnlyList<PlannedStep> plan, onAbort;
        try
        {
            var setpoint = julabo.View.Setpoint(julabo.View.UsedSetpoint ?? 1);
            plan = ProcedurePlan.Unroll(procedure.Steps, parameters, setpoint);
            onAbort = ProcedurePlan.Unroll(procedure.OnAbort, parameters, null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return CommandResult.Refused($"procedure '{procedure.Name}' cannot run with these parameters: {e.Message}");
        }
        if (HvLimitProblem(plan.Concat(onAbort), request.Modules) is { } tooHigh) return CommandResult.Refused(tooHigh);
        ActiveProcedure active;
        lock (_gate)
        {
            if (_active is { } going) return CommandResult.Refused($"procedure run {going.Document.Run} ({going.Procedure.Name}) is going; one at a time");
            var document = new ProcedureRunDocument
            {
                Procedure = procedure.Name,
                Operator = user,
                Parameters = parameters,
                Modules = [.. request.Modules],
                Comment = request.Comment,
                StartMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
                StepCount = plan.Count,
            };
            try
            {
                store.Insert(document);
            }
            catch (Exception e)
            {
                // A run without a record is never started: its results, and the crash check at the next start, need it.
                return CommandResult.Refused($"the procedure run cannot be recorded ({e.Message}): not started");
            }
            events.Write(ProcedureMeasurements.Start(document));
            active = new ActiveProcedure(document, procedure, plan, onAbort, role, time.GetTimestamp());
            _active = active;
            _running = Task.Run(() => RunAsync(active));
        }
        log.LogInformation("Procedure run {Run} ({Procedure}) started by {User}: {Count} steps, parameters {Parameters}", active.Document.Run,
            procedure.Name, user, plan.Count, string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value.ToString(CultureInfo.InvariantCulture)}")));
        return CommandResult.Success(new JsonObject { ["run"] = active.Document.Run, ["steps"] = plan.Count });
    }

    public async Task<CommandResult> PauseAsync(string user)
    {
        if (Active is not { } active) return CommandResult.Refused("no procedure is running");
        if (!active.Pause()) return CommandResult.Refused(active.Paused ? "the procedure is already paused" : "the procedure is ending");
        await LogAsync(active, $"paused by {user}");
        await PublishStatusAsync(StatusOf(active), CancellationToken.None);
        return CommandResult.Success(new JsonObject { ["run"] = active.Document.Run, ["state"] = "paused" });
    }

    public async Task<CommandResult> ResumeAsync(string user)
    {
        if (Active is not { } active) return CommandResult.Refused("no procedure is running");
        if (!active.Resume()) return CommandResult.Refused("the procedure is not paused");
        await LogAsync(active, $"resumed by {user}");
        await PublishStatusAsync(StatusOf(active), CancellationToken.None);
        return CommandResult.Success(new JsonObject { ["run"] = active.Document.Run, ["state"] = "running" });
    }

    /// <summary>Ends the run: its on_abort steps run, then it is failed with "aborted by …". Returns without waiting for them.</summary>
    public CommandResult Abort(string user)
    {
        if (Active is not { } active) return CommandResult.Refused("no procedure is running");
        active.Fail($"aborted by {user}");
        return CommandResult.Success(new JsonObject { ["run"] = active.Document.Run, ["state"] = "aborting" });
    }

    /// <summary>On shutdown: a run going ends like an aborted one, on_abort included, before the devices stop.</summary>
    public async Task ShutdownAsync()
    {
        Task running;
        lock (_gate) running = _running;
        Active?.Fail("TrackerDcs is shutting down");
        await running;
    }

    private async Task RunAsync(ActiveProcedure active)
    {
        var document = active.Document;
        using var watch = new CancellationTokenSource();
        var watcher = WatchAsync(active, watch.Token);
        try
        {
            await LogAsync(active, $"started by {document.Operator}: {active.Plan.Count} steps");
            foreach (var step in active.Plan)
            {
                await active.WhilePausedAsync();
                if (active.Failure is not null) break;
                var result = await StepAsync(active, step, document.Steps);
                if (result is { Ok: false }) active.Fail(result.Error!);
                if (active.Failure is not null) break;
            }
        }
        catch (Exception e)
        {
            log.LogError(e, "Procedure run {Run}: the runner failed", document.Run);
            active.Fail($"the runner failed: {e.Message}");
        }
        try
        {
            if (active.Failure is { } reason)
            {
                await LogAsync(active, $"failing: {reason}; on_abort: {active.OnAbort.Count} steps");
                foreach (var step in active.OnAbort) await StepAsync(active, step, document.OnAbort, onAbort: true);
            }
            document.State = active.Failure is null ? ProcedureState.Finished : ProcedureState.Failed;
            document.Reason = active.Failure;
            document.EndMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            await RecordEndAsync(active);
            events.Write(ProcedureMeasurements.End(document));
            await LogAsync(active, document.State == ProcedureState.Finished ? "finished" : $"failed: {document.Reason}");
            log.Log(document.State == ProcedureState.Finished ? LogLevel.Information : LogLevel.Warning,
                "Procedure run {Run} ({Procedure}) {State}{Reason}", document.Run, document.Procedure, Wire(document.State),
                document.Reason is null ? "" : $": {document.Reason}");
        }
        catch (Exception e)
        {
            log.LogError(e, "Procedure run {Run}: its end was not recorded", document.Run);
        }
        finally
        {
            await watch.CancelAsync();
            try
            {
                await watcher;
            }
            catch (Exception e)
            {
                // The runner must always be freed; a watcher that failed says so in the log.
                log.LogError(e, "Procedure run {Run}: the alarm watch failed", document.Run);
            }
            // Published before the runner is free, so a next run's status never comes before this outcome.
            await PublishStatusAsync(StatusOf(document, idle: false), CancellationToken.None);
            lock (_gate) _active = null;
        }
    }

    /// <summary>Fatal alarms end the run whatever step it is in; the status is published once a second meanwhile.</summary>
    private async Task WatchAsync(ActiveProcedure active, CancellationToken stop)
    {
        var lastStatus = time.GetTimestamp();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (active.Procedure.FatalAlarms.Count > 0 &&
                    alarms.Active.FirstOrDefault(a => active.Procedure.FatalAlarms.Contains(a.Code)) is { } alarm)
                    active.Fail($"fatal alarm {alarm.Key}: {alarm.Message}");
                if (time.GetElapsedTime(lastStatus) >= StatusPeriod)
                {
                    lastStatus = time.GetTimestamp();
                    await PublishStatusAsync(StatusOf(active), CancellationToken.None);
                }
                await Task.Delay(Tick, time, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    /// <summary>Runs one step and records it; a step's failure comes back as a refused result with the reason.</summary>
    private async Task<CommandResult> StepAsync(ActiveProcedure active, PlannedStep step, List<StepRecord> records, bool onAbort = false)
    {
        var record = new StepRecord
        {
            Index = step.Index, Kind = step.Kind, Line = step.Line, Description = step.Description,
            StartMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        records.Add(record);
        // Saved as it starts too: after a crash, the record names the step that was going.
        await RecordAsync(active);
        events.Write(ProcedureMeasurements.Step(active.Document, record, onAbort));
        if (!onAbort)
        {
            active.Current = step.Index;
            active.CurrentStepStart = time.GetTimestamp();
            await PublishStatusAsync(StatusOf(active), CancellationToken.None);
        }
        var label = $"{(onAbort ? "on_abort " : "")}step {step.Index + 1}/{(onAbort ? active.OnAbort.Count : active.Plan.Count)} (line {step.Line}) {step.Where}{step.Kind}";
        await LogAsync(active, $"{label}: {step.Description}");
        CommandResult result;
        try
        {
            result = step.Action switch
            {
                SendCommand c => onAbort ? await SendUntilAcceptedAsync(active, c) : await SendAsync(active, c),
                WaitFor w => await WaitForAsync(active, w, onAbort),
                Hold h => await HoldAsync(active, h.Duration, onAbort),
                RampChiller r => await RampAsync(active, r, onAbort),
                RunCalibration c => await CalibrateAsync(active, c, onAbort),
                ScanIv iv => await ScanIvAsync(active, iv, record, onAbort),
                Note => CommandResult.Done,
                _ => CommandResult.Refused($"step {step.Kind} cannot run"),
            };
        }
        catch (OperationCanceledException) when (active.Ending.IsCancellationRequested)
        {
            result = CommandResult.Refused(active.Failure ?? "ended");
        }
        if (!result.Ok && !onAbort) result = CommandResult.Refused($"{label} failed: {result.Error}");
        // With its data (a calibration's run number), so the record leads to what the step produced.
        (record.EndMs, record.Ok, record.Result) = (time.GetUtcNow().ToUnixTimeMilliseconds(), result.Ok,
            result.Data is null ? result.ToString() : $"{result} {result.Data.ToJsonString(Json.Options)}");
        if (!result.Ok) await LogAsync(active, result.Error!);
        await RecordAsync(active);
        return result;
    }

    /// <summary>
    /// A step's command through the bus as the procedure's user. A protective one (on_abort, an IV scan's ramp down) runs
    /// like an interlock's action when its audit row cannot be written: the stand is brought to safety on a full disk too.
    /// </summary>
    private Task<CommandResult> SendAsync(ActiveProcedure active, SendCommand command, bool protective = false) =>
        // Not cancelled by an abort: a command under way finishes and is audited with its real outcome.
        bus.ExecuteAsync(new CommandRequest(command.Topic, command.Payload, active.User, active.Role, CommandOrigin.Procedure, active.ClientId)
        {
            Protective = protective,
        });

    /// <summary>on_abort's commands are retried like the interlocks' (LV off is refused while HV is still on), then it goes on.</summary>
    private async Task<CommandResult> SendUntilAcceptedAsync(ActiveProcedure active, SendCommand command)
    {
        var deadline = time.GetUtcNow() + OnAbortRetryFor;
        while (true)
        {
            var result = await SendAsync(active, command, protective: true);
            if (result.Ok || time.GetUtcNow() > deadline) return result;
            await Task.Delay(TimeSpan.FromSeconds(1), time);
        }
    }

    private async Task<CommandResult> WaitForAsync(ActiveProcedure active, WaitFor wait, bool onAbort)
    {
        var ending = onAbort ? CancellationToken.None : active.Ending;
        var waited = TimeSpan.Zero;
        TimeSpan? heldFor = null;
        while (true)
        {
            if (wait.Condition.Evaluate(signals.Read, active: false))
            {
                heldFor ??= TimeSpan.Zero;
                if (heldFor >= wait.StableFor) return CommandResult.Done;
            }
            else heldFor = null;
            if (waited >= wait.Timeout)
                return CommandResult.Refused(string.Create(CultureInfo.InvariantCulture,
                    $"time-out: '{wait.Text}' did not hold for {wait.StableFor.TotalSeconds} s within {wait.Timeout.TotalSeconds} s ({Values(wait.Condition)})"));
            var slice = await SliceAsync(active, Tick, onAbort, ending);
            waited += slice;
            if (heldFor is not null) heldFor += slice;
        }
    }

    private async Task<CommandResult> HoldAsync(ActiveProcedure active, TimeSpan duration, bool onAbort)
    {
        var ending = onAbort ? CancellationToken.None : active.Ending;
        for (var left = duration; left > TimeSpan.Zero;)
            left -= await SliceAsync(active, left < Tick ? left : Tick, onAbort, ending);
        return CommandResult.Done;
    }

    /// <summary>
    /// Waits one slice of a step's time and returns how much of it counts: none while paused, so a pause holds a
    /// wait, a wait_until's time-out and a ramp where they are. Outside on_abort, an ending run cancels it.
    /// </summary>
    private async Task<TimeSpan> SliceAsync(ActiveProcedure active, TimeSpan slice, bool onAbort, CancellationToken ending)
    {
        if (!onAbort && active.Paused)
        {
            await active.WhilePausedAsync();
            ending.ThrowIfCancellationRequested();
            return TimeSpan.Zero;
        }
        var start = time.GetTimestamp();
        await Task.Delay(slice, time, ending);
        return time.GetElapsedTime(start);
    }

    /// <summary>
    /// Moves the chiller's set point to the target at the rate: a new set point every `every` seconds, each the
    /// rate's worth further, the last the target itself. The unit's own ramp is a step; this is what keeps a
    /// module's temperature gradient within what its materials take.
    /// </summary>
    private async Task<CommandResult> RampAsync(ActiveProcedure active, RampChiller ramp, bool onAbort)
    {
        // The ramp starts from the set point the chiller has: a stand that has just started has not read it yet.
        double? known;
        var ending = onAbort ? CancellationToken.None : active.Ending;
        for (var waited = TimeSpan.Zero; (known = julabo.View.Setpoint(ramp.Setpoint)) is null; waited += await SliceAsync(active, Tick, onAbort, ending))
            if (waited >= SetpointWait)
                return CommandResult.Refused(string.Create(CultureInfo.InvariantCulture,
                    $"the chiller's set point {ramp.Setpoint} is still not known after {SetpointWait.TotalSeconds:0} s (chiller {julabo.View.State})"));
        var from = known.Value;
        var increment = ramp.RatePerMinute * ramp.Every.TotalSeconds / 60;
        var count = Math.Max(1, (int)Math.Ceiling(Math.Round(Math.Abs(ramp.To - from) / increment, 9)));
        var previous = from;
        for (var k = 1; k <= count; k++)
        {
            var next = k == count ? ramp.To : Math.Round(from + Math.Sign(ramp.To - from) * k * increment, 2);
            await HoldAsync(active, TimeSpan.FromMinutes(Math.Abs(next - previous) / ramp.RatePerMinute), onAbort);
            var payload = string.Create(CultureInfo.InvariantCulture, $$"""{"setpoint":{{ramp.Setpoint}},"temp":{{next}}}""");
            var result = await SendAsync(active, new SendCommand($"{JulaboTopics.Root}/cmd/setWT", payload));
            if (!result.Ok) return CommandResult.Refused($"{JulaboTopics.Root}/cmd/setWT {payload} refused: {result.Error}");
            previous = next;
        }
        return CommandResult.Done;
    }

    /// <summary>
    /// Starts a calibration of the run's modules through the bus (so its preconditions apply and it is audited) and
    /// waits for its outcome: finished is success; failed, stopped or the time-out fail the step. A run that ends
    /// meanwhile (abort, fatal alarm) stops the calibration first.
    /// </summary>
    private async Task<CommandResult> CalibrateAsync(ActiveProcedure active, RunCalibration calibration, bool onAbort)
    {
        var start = new JsonObject
        {
            ["calibration"] = calibration.Name,
            ["modules"] = new JsonArray([.. active.Document.Modules.Select(m => JsonValue.Create(m))]),
            ["comment"] = $"procedure {active.Procedure.Name}, run {active.Document.Run}",
        };
        var started = await SendAsync(active, new SendCommand($"{RunController.Root}/cmd/start", start.ToJsonString(Json.Options)));
        if (!started.Ok) return CommandResult.Refused($"{RunController.Root}/cmd/start refused: {started.Error}");
        var number = started.Data!["run"]!.GetValue<long>();
        var ending = onAbort ? CancellationToken.None : active.Ending;
        try
        {
            for (var waited = TimeSpan.Zero; runs.Active?.Run == number; waited += await SliceAsync(active, Tick, onAbort, ending))
                if (waited >= calibration.Timeout)
                {
                    await SendAsync(active, new SendCommand($"{RunController.Root}/cmd/stop", ""));
                    return CommandResult.Refused(string.Create(CultureInfo.InvariantCulture,
                        $"time-out: calibration run {number} ({calibration.Name}) still going after {calibration.Timeout.TotalSeconds} s; stopped"));
                }
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            if (runs.Active?.Run == number) await SendAsync(active, new SendCommand($"{RunController.Root}/cmd/stop", ""));
            throw;
        }
        var outcome = await runs.Store.GetAsync(number);
        return outcome?.State == RunState.Finished
            ? CommandResult.Success(new JsonObject { ["run"] = number })
            : CommandResult.Refused($"calibration run {number} ({calibration.Name}) {outcome?.State.ToString().ToLowerInvariant() ?? "not recorded"}{(outcome?.Reason is { } r ? $": {r}" : "")}");
    }

    /// <summary>
    /// The first HV value of the run above its channel's maxV, with this run's parameters and modules. The load has
    /// checked explicit channels over the parameters' whole bounds; a scan of the run's modules is checked here.
    /// </summary>
    private string? HvLimitProblem(IEnumerable<PlannedStep> plan, IReadOnlyList<string> modules)
    {
        foreach (var step in plan)
        {
            var (ids, volts) = step.Action switch
            {
                SendCommand c when c.Topic.Split('/') is [var root, "cmd", "setv", "hv", var id] && root == channels.Name
                    && double.TryParse(c.Payload, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => ([id], v),
                ScanIv s => (s.Channels ?? [.. channels.Channels.Where(c => c.Module is { } m && modules.Contains(m)).Select(c => c.Id)], s.Points.Max()),
                _ => ((IReadOnlyList<string>)[], 0.0),
            };
            foreach (var id in ids)
                if (channels.Find(id)?.Hv.MaxV is { } maxV && volts > maxV)
                    return string.Create(CultureInfo.InvariantCulture, $"step {step.Index + 1} (line {step.Line}) would bias channel {id} at {volts} V, above its maxV {maxV} V");
        }
        return null;
    }

    private static bool NeedsModules(IEnumerable<ProcedureStep> steps) =>
        steps.Any(s => s is CalibrationStep or IvScanStep { Channels: null } || s is RepeatStep r && NeedsModules(r.Steps));

    private string Values(InterlockCondition condition) => string.Join(", ", condition.Signals.Select(s =>
        $"{s} = {Convert.ToString(signals.Read(s), CultureInfo.InvariantCulture) ?? "unknown"}"));

    private JsonObject StatusOf(ActiveProcedure active)
    {
        var document = active.Document;
        var current = active.Plan[Math.Min(active.Current, active.Plan.Count - 1)];
        var total = active.Plan.Sum(s => s.EstimateSeconds);
        var inStep = Math.Min(time.GetElapsedTime(active.CurrentStepStart).TotalSeconds, current.EstimateSeconds);
        var done = active.Plan.Take(active.Current).Sum(s => s.EstimateSeconds) + inStep;
        // Commands and notes take no time to estimate: a procedure of only those progresses by its steps.
        var progress = total > 0 ? done / total : (double)active.Current / active.Plan.Count;
        return new JsonObject
        {
            ["state"] = active.Failure is not null ? "aborting" : active.Paused ? "paused" : "running",
            ["run"] = document.Run,
            ["procedure"] = document.Procedure,
            ["operator"] = document.Operator,
            ["step"] = active.Current + 1,
            ["steps"] = active.Plan.Count,
            ["step_kind"] = current.Kind,
            ["step_line"] = current.Line,
            ["step_description"] = $"{current.Where}{current.Description}",
            ["progress"] = Math.Round(100 * progress, 1),
            ["elapsed_s"] = Math.Round(time.GetElapsedTime(active.StartTimestamp).TotalSeconds, 1),
            ["estimate_left_s"] = Math.Round(total - done, 1),
            ["start_ms"] = document.StartMs,
        };
    }

    /// <summary>The status after a run: its outcome, or "idle" with the last run when the process has just started.</summary>
    private static JsonObject StatusOf(ProcedureRunDocument document, bool idle)
    {
        var status = new JsonObject
        {
            ["state"] = idle ? "idle" : Wire(document.State),
            ["run"] = document.Run,
            ["procedure"] = document.Procedure,
            ["operator"] = document.Operator,
            ["run_state"] = Wire(document.State),
            ["steps_done"] = document.Steps.Count(s => s.Ok == true),
            ["steps"] = document.StepCount,
            ["start_ms"] = document.StartMs,
            ["end_ms"] = document.EndMs,
        };
        if (!idle && document.State == ProcedureState.Finished) status["progress"] = 100.0;
        if (document.Reason is not null) status["reason"] = document.Reason;
        return status;
    }

    private static string Wire(ProcedureState state) => state.ToString().ToLowerInvariant();

    private Task LogAsync(ActiveProcedure active, string text) => PublishSafeAsync($"{Root}/log", new JsonObject
    {
        ["run"] = active.Document.Run,
        ["procedure"] = active.Procedure.Name,
        ["time_ms"] = time.GetUtcNow().ToUnixTimeMilliseconds(),
        ["line"] = text,
    }.ToJsonString(Json.Options), retain: false);

    private Task PublishStatusAsync(JsonObject status, CancellationToken ct) =>
        PublishSafeAsync($"{Root}/status", status.ToJsonString(Json.Options), retain: true, ct);

    private Task PublishSafeAsync(string topic, string payload, bool retain, CancellationToken ct = default) =>
        publisher.TryPublishAsync(log, topic, payload, retain, ct);
}
