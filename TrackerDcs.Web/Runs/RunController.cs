using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Common;
using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Storage;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// Runs one calibration at a time: checks the request and the preconditions, numbers the run, starts the
/// configured program, relays its output to ph2acf/log, keeps ph2acf/status (retained) current, stops it on
/// command, on time-out and when the crate leaves the state the calibration needs, then stores the document
/// with its results and end conditions and writes the start and end events for Grafana.
/// </summary>
public sealed partial class RunController(
    RunsOptions options,
    IRunStore store,
    IDeviceView<CaenView> caen,
    Preconditions preconditions,
    ConditionsSnapshot snapshots,
    IMqttPublisher publisher,
    DataDirectory data,
    TimeProvider time,
    ILogger<RunController> log,
    IRunEventSink? events = null,
    IConditionsQuery? conditions = null)
{
    public const string Root = "ph2acf";
    private static readonly TimeSpan SupervisionPeriod = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StatusPeriod = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private ActiveRun? _active;
    private bool _starting;
    private Task _supervision = Task.CompletedTask;

    public IRunStore Store => store;

    public RunDocument? Active { get { lock (_gate) return _active?.Document; } }

    [GeneratedRegex(@"progress\D{0,3}(\d{1,3}(?:\.\d+)?)\s*%", RegexOptions.IgnoreCase)]
    private static partial Regex ProgressLine();

    /// <summary>
    /// At start: runs a crash left "running" are marked failed, and ph2acf/status says idle. A crash of TrackerDcs
    /// does not end the calibration program; one still running is stopped (SIGTERM to its tree, SIGKILL after the
    /// grace period), so that no run goes on unsupervised, holding the hardware, beside the next one.
    /// </summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        foreach (var orphan in (await store.ListAsync(20, ct)).Where(d => d.State == RunState.Running))
        {
            orphan.State = RunState.Failed;
            orphan.Reason = "TrackerDcs stopped during the run; its end was not recorded";
            if (orphan is { Pid: { } pid, PidStartTicks: { } ticks } && ProcessTree.IsAlive(pid) && ProcessTree.StartTicks(pid) == ticks)
            {
                await ProcessTree.StopAsync(ProcessTree.Of(pid), options.StopGracePeriod);
                orphan.Reason = $"TrackerDcs stopped during the run; its program (pid {pid}) was still running and was stopped at the restart";
            }
            await store.SaveAsync(orphan, ct);
            log.LogWarning("Run {Run} was left running by a previous process; marked failed: {Reason}", orphan.Run, orphan.Reason);
        }
        var last = (await store.ListAsync(1, ct)).FirstOrDefault();
        await PublishStatusAsync(last is null ? new JsonObject { ["state"] = "idle" } : StatusOf(last, idle: true), ct);
    }

    public async Task<CommandResult> StartAsync(StartRequest request, string user, CancellationToken ct)
    {
        // The checks and the start take a while (the store, the program): the one slot is claimed first, so two
        // starts at the same moment give one run whoever calls, not only behind the command bus's queue.
        lock (_gate)
        {
            if (_active is { } going) return CommandResult.Refused($"run {going.Document.Run} ({going.Document.Calibration}) is going; stop it first");
            if (_starting) return CommandResult.Refused("another run is being started");
            _starting = true;
        }
        try
        {
            return await StartClaimedAsync(request, user, ct);
        }
        finally
        {
            lock (_gate) _starting = false;
        }
    }

    private async Task<CommandResult> StartClaimedAsync(StartRequest request, string user, CancellationToken ct)
    {
        if (!options.Calibrations.TryGetValue(request.Calibration, out var calibration))
            return CommandResult.Refused($"unknown calibration '{request.Calibration}' (known: {string.Join(", ", options.Calibrations.Keys.Order())})");
        var known = caen.View.Modules.ToHashSet();
        if (request.Modules.FirstOrDefault(m => !known.Contains(m)) is { } unknown)
            return CommandResult.Refused($"module '{unknown}' is not in channels.yml (modules: {string.Join(", ", known.Order())})");
        if (preconditions.FirstFailed(calibration) is { } failed)
            return CommandResult.Refused($"precondition failed: {failed}");
        var hardware = calibration.HardwareDescription == "" ? "" : Path.GetFullPath(calibration.HardwareDescription, AppContext.BaseDirectory);
        if (hardware != "" && !File.Exists(hardware))
            return CommandResult.Refused($"hardware description file '{hardware}' does not exist");
        var (executable, prefix) = calibration.Executable == SelfExecutable.Placeholder
            ? SelfExecutable.Resolve()
            : (SelfExecutable.Find(calibration.Executable, AppContext.BaseDirectory) ?? "", []);
        if (executable == "")
            return CommandResult.Refused($"executable '{calibration.Executable}' of calibration '{request.Calibration}' not found");

        long run;
        try
        {
            run = await store.NextRunNumberAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A run without a record is never started: its results, and the crash check at the next start, need it.
            return CommandResult.Refused($"the run cannot be recorded ({e.Message}): not started");
        }
        var output = Path.Combine(Path.GetFullPath(options.OutputDirectory, data.Path), $"run-{run}");
        Directory.CreateDirectory(output);
        string Expand(string argument) => argument.Replace("{hw}", hardware).Replace("{run}", run.ToString(CultureInfo.InvariantCulture))
            .Replace("{out}", output).Replace("{modules}", string.Join(',', request.Modules));
        var arguments = prefix.Concat(calibration.Arguments.Select(Expand)).ToList();
        var document = new RunDocument
        {
            Run = run,
            Calibration = request.Calibration,
            Modules = [.. request.Modules],
            Comment = request.Comment,
            Operator = user,
            StartMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            Command = [executable, .. arguments],
            OutputDirectory = output,
            ConditionsStart = snapshots.Take(calibration),
        };
        CalibrationProcess process;
        try
        {
            process = CalibrationProcess.Start(executable, arguments, calibration.WorkingDirectory == "" ? output : Path.GetFullPath(calibration.WorkingDirectory, AppContext.BaseDirectory));
        }
        catch (Exception e) when (e is Win32Exception or IOException or UnauthorizedAccessException)
        {
            // The number is spent (numbers are never reused); the document says why nothing ran.
            document.State = RunState.Failed;
            document.Reason = $"could not start '{executable}': {e.Message}";
            document.EndMs = document.StartMs;
            await store.SaveAsync(document, ct);
            return CommandResult.Refused($"run {run} not started: {document.Reason}");
        }
        (document.Pid, document.PidStartTicks) = (process.Id, ProcessTree.StartTicks(process.Id));
        var active = new ActiveRun(document, calibration, process, new LogRateLimiter(options.LogLinesPerSecond, time), time.GetTimestamp());
        process.Line += (line, stderr) => active.Lines.Writer.TryWrite((line, stderr));
        try
        {
            await store.SaveAsync(document, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The program runs: it is supervised all the same (never left holding the hardware unwatched), and its end is saved whole.
            log.LogError("Run {Run}: its start cannot be recorded ({Error}); the run goes on, supervised", run, e.Message);
        }
        // Published here, before the supervisor starts: a program that ends at once (or a supervisor that starts
        // late on a busy machine) still shows "running" first, and never after its outcome.
        await PublishStatusAsync(StatusOf(active), CancellationToken.None);
        lock (_gate)
        {
            _active = active;
            _supervision = Task.Run(() => SuperviseAsync(active));
        }
        log.LogInformation("Run {Run} ({Calibration}, {Modules}) started by {User}: {Command}", run, request.Calibration,
            string.Join(',', request.Modules), user, string.Join(' ', document.Command));
        await WriteEventAsync("start", document, document.StartMs);
        return CommandResult.Success(new JsonObject { ["run"] = run, ["output_directory"] = output });
    }

    public async Task<CommandResult> StopAsync(string user)
    {
        ActiveRun? active;
        Task supervision;
        lock (_gate) (active, supervision) = (_active, _supervision);
        if (active is null) return CommandResult.Refused("no run is going");
        active.RequestStop($"stopped by {user}");
        await supervision;
        return CommandResult.Success(new JsonObject { ["run"] = active.Document.Run, ["state"] = Wire(active.Document.State) });
    }

    /// <summary>The conditions of a run's time window: from InfluxDB when configured, else the run's own snapshots.</summary>
    public async Task<CommandResult> ConditionsAsync(long run, CancellationToken ct)
    {
        var document = await store.GetAsync(run, ct);
        if (document is null) return CommandResult.Refused($"no run {run}");
        var to = document.EndMs ?? time.GetUtcNow().ToUnixTimeMilliseconds();
        var reply = new JsonObject { ["run"] = run, ["from_ms"] = document.StartMs, ["to_ms"] = to };
        if (conditions is not null)
        {
            try
            {
                reply["source"] = "influxdb";
                reply["conditions"] = await conditions.QueryAsync(document.StartMs, to, ct);
                return CommandResult.Success(reply);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                reply["influxdb_error"] = e.Message;
            }
        }
        reply["source"] = "snapshots";
        reply["conditions"] = new JsonObject { ["start"] = document.ConditionsStart?.DeepClone(), ["end"] = document.ConditionsEnd?.DeepClone() };
        return CommandResult.Success(reply);
    }

    /// <summary>On shutdown: a run going is stopped like any other, so no calibration outlives the process.</summary>
    public async Task ShutdownAsync()
    {
        ActiveRun? active;
        Task supervision;
        lock (_gate) (active, supervision) = (_active, _supervision);
        active?.RequestStop("TrackerDcs is shutting down");
        await supervision;
    }

    private async Task SuperviseAsync(ActiveRun active)
    {
        var document = active.Document;
        var relay = RelayLogAsync(active);
        var lastStatus = time.GetTimestamp();
        try
        {
            var lastTree = time.GetTimestamp();
            while (!active.Process.HasExited && active.StopReason is null)
            {
                var elapsed = time.GetElapsedTime(active.StartTimestamp);
                if (elapsed > active.Calibration.Timeout)
                    active.RequestStop(string.Create(CultureInfo.InvariantCulture, $"time-out after {active.Calibration.Timeout.TotalSeconds:0.#} s"));
                else if (preconditions.Crate(active.Calibration) is { } crate)
                    active.RequestStop($"interlock: {crate}");
                if (time.GetElapsedTime(lastStatus) >= StatusPeriod)
                {
                    lastStatus = time.GetTimestamp();
                    await PublishStatusAsync(StatusOf(active), CancellationToken.None);
                }
                if (time.GetElapsedTime(lastTree) >= StatusPeriod)
                {
                    active.Process.Refresh();
                    lastTree = time.GetTimestamp();
                }
                await Task.Delay(SupervisionPeriod);
            }
            // A stop asked for after the program ended by itself does not change how it ended.
            var stopReason = active.Process.HasExited ? null : active.StopReason;
            if (stopReason is not null)
            {
                log.LogWarning("Run {Run}: {Reason}; SIGTERM, kill after {Grace}", document.Run, stopReason, options.StopGracePeriod);
                await active.Process.StopAsync(options.StopGracePeriod);
            }
            await active.Process.DrainAsync(TimeSpan.FromSeconds(2));
            active.Process.EndLeftovers();
            document.ExitCode = active.Process.HasExited ? active.Process.ExitCode : null;
            active.Lines.Writer.TryComplete();
            await relay;
            (document.State, document.Reason) = stopReason is not null ? (RunState.Stopped, stopReason)
                : document.ExitCode == 0 ? (RunState.Finished, null)
                : (RunState.Failed, $"exit code {document.ExitCode}");
            document.EndMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            document.Results = await CollectResultsAsync(active);
            document.ConditionsEnd = snapshots.Take(active.Calibration);
            await store.SaveAsync(document);
            log.LogInformation("Run {Run} {State}{Reason}", document.Run, Wire(document.State), document.Reason is null ? "" : $": {document.Reason}");
            await WriteEventAsync("end", document, document.EndMs.Value);
        }
        catch (Exception e)
        {
            // The supervisor must always free the controller; what went wrong stays in the log and the document.
            log.LogError(e, "Run {Run}: supervision failed", document.Run);
            document.State = RunState.Failed;
            document.Reason = $"supervision failed: {e.Message}";
            document.EndMs ??= time.GetUtcNow().ToUnixTimeMilliseconds();
            try { await store.SaveAsync(document); } catch (Exception inner) { log.LogError(inner, "Run {Run}: document not saved", document.Run); }
        }
        finally
        {
            active.Process.Dispose();
            // Published before the controller is free, so a next run's "running" never comes before this outcome.
            await PublishStatusAsync(StatusOf(document, idle: false), CancellationToken.None);
            lock (_gate) _active = null;
        }
    }

    /// <summary>Every line to the run's log file; lines within the rate to ph2acf/log, with the count suppressed before them.</summary>
    private async Task RelayLogAsync(ActiveRun active)
    {
        var run = active.Document.Run;
        await using var file = new StreamWriter(Path.Combine(active.Document.OutputDirectory, LogFileName(run)));
        await foreach (var (line, stderr) in active.Lines.Reader.ReadAllAsync())
        {
            await file.WriteLineAsync(stderr ? $"[stderr] {line}" : line);
            if (ProgressLine().Match(line) is { Success: true } match && double.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var progress))
                active.Progress = Math.Min(progress, 100);
            if (!active.Limiter.TryTake(out var dropped)) continue;
            var message = new JsonObject { ["run"] = run, ["stream"] = stderr ? "stderr" : "stdout", ["line"] = line };
            if (dropped > 0) message["dropped_before"] = dropped;
            await PublishSafeAsync($"{Root}/log", message.ToJsonString(Json.Options), retain: false);
        }
        if (active.Limiter.TakeDropped() is > 0 and var rest)
            await PublishSafeAsync($"{Root}/log", new JsonObject { ["run"] = run, ["stream"] = "stdout", ["line"] = $"… {rest} more lines in {LogFileName(run)}" }.ToJsonString(Json.Options), retain: false);
    }

    private static string LogFileName(long run) => $"ph2acf-run-{run}.log";

    private async Task<List<ResultFile>> CollectResultsAsync(ActiveRun active)
    {
        var directory = active.Document.OutputDirectory;
        var names = active.Calibration.ResultFiles
            .SelectMany(pattern => Directory.EnumerateFiles(directory, pattern, SearchOption.AllDirectories))
            .Append(Path.Combine(directory, LogFileName(active.Document.Run)))
            .Distinct()
            .Order(StringComparer.Ordinal);
        var results = new List<ResultFile>();
        foreach (var path in names)
        {
            var bytes = await File.ReadAllBytesAsync(path);
            var result = new ResultFile { Name = Path.GetRelativePath(directory, path), Size = bytes.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
            if (bytes.Length <= options.InlineResultBytes) result.ContentBase64 = Convert.ToBase64String(bytes);
            else result.BlobId = await store.PutBlobAsync(active.Document.Run, result.Name, new MemoryStream(bytes));
            results.Add(result);
        }
        return results;
    }

    private JsonObject StatusOf(ActiveRun active) => new()
    {
        ["state"] = "running",
        ["run"] = active.Document.Run,
        ["calibration"] = active.Document.Calibration,
        ["modules"] = new JsonArray([.. active.Document.Modules.Select(m => JsonValue.Create(m))]),
        ["progress"] = active.Progress,
        ["elapsed_s"] = Math.Round(time.GetElapsedTime(active.StartTimestamp).TotalSeconds, 1),
        ["start_ms"] = active.Document.StartMs,
    };

    /// <summary>The status after a run: its outcome, or "idle" with the last run when the process has just started.</summary>
    private static JsonObject StatusOf(RunDocument document, bool idle)
    {
        var status = new JsonObject
        {
            ["state"] = idle ? "idle" : Wire(document.State),
            ["run"] = document.Run,
            ["calibration"] = document.Calibration,
            ["modules"] = new JsonArray([.. document.Modules.Select(m => JsonValue.Create(m))]),
            ["start_ms"] = document.StartMs,
            ["end_ms"] = document.EndMs,
            ["elapsed_s"] = document.EndMs is { } end ? Math.Round((end - document.StartMs) / 1000.0, 1) : null,
            ["exit_code"] = document.ExitCode,
        };
        if (!idle && document.State == RunState.Finished) status["progress"] = 100.0;
        if (document.Reason is not null) status["reason"] = document.Reason;
        return status;
    }

    private static string Wire(RunState state) => state.ToString().ToLowerInvariant();

    private Task PublishStatusAsync(JsonObject status, CancellationToken ct) =>
        PublishSafeAsync($"{Root}/status", status.ToJsonString(Json.Options), retain: true, ct);

    private Task PublishSafeAsync(string topic, string payload, bool retain, CancellationToken ct = default) =>
        publisher.TryPublishAsync(log, topic, payload, retain, ct);

    private async Task WriteEventAsync(string name, RunDocument document, long timeMs)
    {
        if (events is null) return;
        try
        {
            await events.WriteAsync(new RunEvent(name, document, timeMs));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            log.LogWarning("Run {Run}: {Event} event not written to InfluxDB yet, kept for later: {Error}", document.Run, name, e.Message);
        }
    }
}
