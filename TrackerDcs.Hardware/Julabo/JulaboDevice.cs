using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// One Julabo chiller as the DCS sees it: a poll loop that reads every value, the state machine of
/// <see cref="JulaboStateMachine"/>, validated operator commands, and reconnection with back-off.
/// <see cref="RunAsync"/> is the loop (a hosted service's ExecuteAsync calls it); commands may be
/// called from any thread meanwhile. Link failures never escape: they make the device DISCONNECTED,
/// and a refused command returns its reason instead of throwing.
/// </summary>
public sealed class JulaboDevice : IAsyncDisposable
{
    private readonly JulaboSettings _options;
    private readonly Func<ITransport> _transportFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    // The poll pause, cut short when a command wants the status read back (or a reconnect) at once.
    private readonly WakeableDelay _pause;
    private readonly CancellationTokenSource _disposed = new();
    private readonly SortedDictionary<int, double> _pendingSetpoints = new();
    private JulaboStatus _status = new();
    private volatile JulaboConnection? _connection;
    private volatile CancellationTokenSource? _session;
    private string? _version;
    private string? _statusText;
    private string? _lastError;
    private int _reconnectNow;
    private string? _limitsProblem;
    private string? _sensorProblem;
    private double? _limitHighRead;
    private double? _limitLowRead;
    private DateTimeOffset _lastHeard;
    // Counts commands sent: a poll during which one was sent read the unit before it, and must not undo its read-back.
    private int _commandCount;
    private bool _limitsReadable; // used by the loop only
    private bool _manualSinceLimitsWritten; // used by the loop only

    /// <param name="transportFactory">Makes a new, unopened transport for each connection attempt; by default from <see cref="JulaboSettings.Port"/> (a host that simulates the unit passes its own).</param>
    public JulaboDevice(JulaboSettings options, Func<ITransport>? transportFactory = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));
        _options = options;
        _transportFactory = transportFactory ?? (() => Transports.Create(options.Port, options.Serial));
        _time = timeProvider ?? TimeProvider.System;
        _pause = new WakeableDelay(_time);
        _logger = logger ?? NullLogger.Instance;
        _lastHeard = _time.GetUtcNow();
    }

    public JulaboStatus Status { get { lock (_gate) return _status; } }

    /// <summary>The status with the unit's texts and the link's and limits' problems, taken under one lock.</summary>
    public JulaboSnapshot Snapshot()
    {
        lock (_gate) return new JulaboSnapshot(_status, _statusText, _lastError, _limitsProblem, _sensorProblem, _lastHeard);
    }
    public JulaboState State => Status.FsmState;

    /// <summary>
    /// When the unit last gave a readable reply, or when the driver started if it never did. A port that opens does
    /// not count (a unit switched off behind a present USB adapter opens fine): the disconnected alarm counts from here.
    /// </summary>
    public DateTimeOffset LastHeard { get { lock (_gate) return _lastHeard; } }

    /// <summary>The unit's answer to VERSION on the current or last link.</summary>
    public string? Version { get { lock (_gate) return _version; } }

    /// <summary>The unit's text for the last status code ("REMOTE START", "LOW LIQUID LEVEL ALARM").</summary>
    public string? StatusText { get { lock (_gate) return _statusText; } }

    /// <summary>Why the link was last lost (quoting a bad reply when that was the cause); null once healthy again.</summary>
    public string? LastError { get { lock (_gate) return _lastError; } }

    /// <summary>
    /// Why the unit does not hold the configured warning limits (it refused them, holds other values, or
    /// could not be read back), with both values; null when the last check found them as configured.
    /// Kept while disconnected: the unit's limits do not change because the cable is out.
    /// </summary>
    public string? LimitsProblem { get { lock (_gate) return _limitsProblem; } }

    /// <summary>
    /// Why the external Pt100 the settings call expected (Julabo:ExternalSensor Expected) gives no reading, quoting
    /// the unit's answer; null when it reads, or when it is not expected. Kept while disconnected, like the limits.
    /// </summary>
    public string? SensorProblem { get { lock (_gate) return _sensorProblem; } }

    /// <summary>Set points asked for while disconnected, to be sent when the link is back (set point → °C).</summary>
    public IReadOnlyDictionary<int, double> PendingSetpoints { get { lock (_gate) return new Dictionary<int, double>(_pendingSetpoints); } }

    /// <summary>Raised whenever <see cref="Status"/> changes, on the thread that saw the change (usually the poll loop's).</summary>
    public event Action<JulaboStatus>? StatusChanged;

    // ---- The loop ----

    /// <summary>Connects, polls, and reconnects with back-off until cancelled or disposed. Never throws.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var delay = _options.ReconnectDelayMin;
        try
        {
            while (true)
            {
                var reachedUnit = await RunSessionAsync(stop.Token);
                delay = reachedUnit ? _options.ReconnectDelayMin : delay;
                if (Interlocked.Exchange(ref _reconnectNow, 0) == 0)
                {
                    _logger.LogInformation("Julabo: reconnecting in {Delay} ms", delay.TotalMilliseconds);
                    await _pause.SleepAsync(delay, stop.Token);
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectDelayMax.Ticks));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Apply(JulaboEvent.LinkLost);
        }
    }

    /// <summary>
    /// One link from open to loss. This is the one boundary where transport errors become the
    /// DISCONNECTED state. Returns whether the unit answered at all (resets the back-off).
    /// </summary>
    private async Task<bool> RunSessionAsync(CancellationToken stop)
    {
        var reachedUnit = false;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
        JulaboConnection? connection = null;
        try
        {
            connection = new JulaboConnection(_transportFactory(), _options, _time, _logger);
            connection.Replied += Heard;
            await connection.OpenAsync(session.Token);
            _session = session;
            _connection = connection;
            Apply(JulaboEvent.LinkOpened);
            var version = await connection.ReadVersionAsync(session.Token);
            reachedUnit = true;
            lock (_gate) _version = version;
            _logger.LogInformation("Julabo: connected to {Version} on {Link}", version, connection.Description);
            await WriteWarningLimitsAsync(connection, session.Token);
            while (true)
            {
                var started = _time.GetTimestamp();
                // Checked on every poll, not only after connecting: a set point may be queued in the
                // moment between the link opening and the state saying so.
                await SendPendingSetpointsAsync(connection, session.Token);
                await PollAsync(connection, session.Token);
                await _pause.SleepAsync(_options.PollPeriod - _time.GetElapsedTime(started), session.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // A command found the link dead, or an operator asked to reconnect; the reason is recorded already.
        }
        catch (Exception e)
        {
            if (e is not (JulaboProtocolException or LinkException)) _logger.LogError(e, "Julabo: unexpected failure; treating the link as lost");
            LinkLost(connection, e);
        }
        finally
        {
            _connection = null;
            _session = null;
            if (connection is not null) await connection.DisposeAsync();
        }
        return reachedUnit;
    }

    private void Heard()
    {
        lock (_gate) _lastHeard = _time.GetUtcNow();
    }

    private async Task PollAsync(JulaboConnection c, CancellationToken ct)
    {
        var commands = Volatile.Read(ref _commandCount);
        var unit = await c.ReadStatusAsync(ct);
        var bath = await c.QueryAsync(JulaboProtocol.ReadBathTemperature(), JulaboProtocol.ParseNumber, ct);
        var power = await c.QueryAsync(JulaboProtocol.ReadPower(), JulaboProtocol.ParseNumber, ct);
        var external = await ReadExternalAsync(c, ct);
        var sp1 = await c.QueryAsync(JulaboProtocol.ReadSetpoint(1), JulaboProtocol.ParseNumber, ct);
        var sp2 = await c.QueryAsync(JulaboProtocol.ReadSetpoint(2), JulaboProtocol.ParseNumber, ct);
        var sp3 = await c.QueryAsync(JulaboProtocol.ReadSetpoint(3), JulaboProtocol.ParseNumber, ct);
        var selected = await c.QueryAsync(JulaboProtocol.ReadSelectedSetpoint(), JulaboProtocol.ParseSelectedSetpoint, ct);
        var extUsed = await c.QueryAsync(JulaboProtocol.ReadExternalControl(), JulaboProtocol.ParseFlag, ct);
        if (_limitsReadable)
        {
            // Read on every poll: limits changed at the keypad are seen, not only at the next connect.
            var high = await c.QueryAsync(JulaboProtocol.ReadHighWarningLimit(), JulaboProtocol.ParseNumber, ct);
            var low = await c.QueryAsync(JulaboProtocol.ReadLowWarningLimit(), JulaboProtocol.ParseNumber, ct);
            CheckWarningLimits(high, low, refusal: null, unreadable: null, atConnect: false);
        }
        if (Volatile.Read(ref _commandCount) != commands)
        {
            // A command went out during this poll and its read-back is newer than what was read here: poll again.
            Wake();
            return;
        }
        double? limitHigh, limitLow;
        lock (_gate)
        {
            (limitHigh, limitLow) = (_limitHighRead, _limitLowRead);
            _statusText = unit.Text;
            _lastError = null;
        }
        Apply(JulaboStateMachine.EventFor(unit), onlyIfLinked: true, s => s with
        {
            StatusCode = unit.Code, InternalTemp = bath, ExternalTemp = external, Power = power,
            Setpoint1 = sp1, Setpoint2 = sp2, Setpoint3 = sp3, UsedSetpoint = selected, ExtIsUsed = extUsed,
            LimitHigh = limitHigh, LimitLow = limitLow,
        });

        // The unit ignores remote commands at the keypad (manual mode): limits written while it was there did
        // not take, and someone at the keypad may have changed them. Back in remote, they are written again.
        if (unit.Code is JulaboUnitStatus.ManualStop or JulaboUnitStatus.ManualStart) _manualSinceLimitsWritten = true;
        else if (unit.IsRemote && _manualSinceLimitsWritten)
        {
            _logger.LogInformation("Julabo: back in remote control after manual mode; writing the warning limits again");
            await WriteWarningLimitsAsync(c, ct);
        }
    }

    /// <summary>
    /// The external Pt100 (IN_PV_02), or null when the unit has none: a unit without it answers "---.--", which the
    /// seed's driver read as "no external temperature", and so does this one; the link stays up. Only a stand whose
    /// settings expect the sensor makes its absence a problem (the julabo.sensor alarm).
    /// </summary>
    private async Task<double?> ReadExternalAsync(JulaboConnection c, CancellationToken ct)
    {
        if (_options.ExternalSensor == JulaboExternalSensor.Absent) return null;
        string? raw = null;
        var external = await c.QueryAsync(JulaboProtocol.ReadExternalTemperature(), reply => JulaboProtocol.ParseReading(raw = reply), ct);
        var problem = external is null && _options.ExternalSensor == JulaboExternalSensor.Expected
            ? $"the external Pt100 gives no reading (IN_PV_02 answers {JulaboProtocol.Quote(raw ?? "")}), but Julabo:ExternalSensor says the stand has one"
            : null;
        string? before;
        lock (_gate) (before, _sensorProblem) = (_sensorProblem, problem);
        if (problem is not null && before is null) _logger.LogWarning("Julabo: {Problem}", problem);
        if (problem is null && before is not null) _logger.LogInformation("Julabo: the external Pt100 reads again");
        return external;
    }

    /// <summary>
    /// Writes the configured warning limits (OUT_SP_03 high, OUT_SP_04 low) and reads them back, on every
    /// connect and before the first poll can report OFF or ON, so that the unit guards the bath by itself
    /// even when this process is gone. A refusal, other values read back, or no answer is logged with both
    /// values and kept in <see cref="LimitsProblem"/> (the julabo.limits alarm); the link stays up, since
    /// the chiller still cools.
    /// </summary>
    private async Task WriteWarningLimitsAsync(JulaboConnection c, CancellationToken ct)
    {
        _manualSinceLimitsWritten = false;
        await c.SendAsync(JulaboProtocol.WriteHighWarningLimit(_options.WarningLimitHigh), ct);
        await c.SendAsync(JulaboProtocol.WriteLowWarningLimit(_options.WarningLimitLow), ct);
        // The unit does not answer OUT_ commands: a refused one shows, once, in the next STATUS.
        var unit = await c.ReadStatusAsync(ct);
        var refusal = unit.IsEntryError ? unit.ToString() : null;
        double? high = null, low = null;
        string? unreadable = null;
        try
        {
            high = await c.QueryAsync(JulaboProtocol.ReadHighWarningLimit(), JulaboProtocol.ParseNumber, ct);
            low = await c.QueryAsync(JulaboProtocol.ReadLowWarningLimit(), JulaboProtocol.ParseNumber, ct);
            _limitsReadable = true;
        }
        catch (Exception e) when (e is LinkTimeoutException or JulaboProtocolException)
        {
            // A unit without IN_SP_03/04 answers nothing and flags -08: take that flag now, not at the first poll.
            _limitsReadable = false;
            var after = await c.ReadStatusAsync(ct);
            unreadable = after.IsEntryError ? $"{e.Message}; the unit says {after}" : e.Message;
        }
        CheckWarningLimits(high, low, refusal, unreadable, atConnect: true);
    }

    private void CheckWarningLimits(double? high, double? low, string? refusal, string? unreadable, bool atConnect)
    {
        var (wantHigh, wantLow) = (_options.WarningLimitHigh, _options.WarningLimitLow);
        var wanted = $"the configured high {Celsius(wantHigh)}, low {Celsius(wantLow)} (Julabo:WarningLimitHigh, Julabo:WarningLimitLow)";
        var held = $"high {Celsius(high)}, low {Celsius(low)}";
        // The wire carries two decimals.
        static bool Same(double? read, double wanted) => read is { } r && Math.Abs(r - wanted) < 0.006;
        // A refusal that leaves the configured values in place (they were set before) protects as well as a success.
        var problem =
            unreadable is not null ? $"the chiller's warning limits could not be read back ({unreadable}); wanted {wanted}"
            : Same(high, wantHigh) && Same(low, wantLow) ? null
            : refusal is not null ? $"the chiller refused the warning limits ({refusal}): it holds {held}, not {wanted}"
            : $"the chiller holds warning limits {held}, not {wanted}";
        string? before;
        lock (_gate)
        {
            (_limitHighRead, _limitLowRead) = (high, low);
            before = _limitsProblem;
            // A poll that finds other values keeps the connect's more telling reason (a refusal).
            if (problem is null || atConnect || before is null) _limitsProblem = problem;
        }
        // Logged at every connect, and by the polls only when the answer changes.
        if (problem is not null && (atConnect || before is null)) _logger.LogWarning("Julabo: {Problem}", problem);
        if (problem is null && (atConnect || before is not null)) _logger.LogInformation("Julabo: warning limits on the unit: {Held}, as configured", held);
    }

    private static string Celsius(double? value) => value is { } v ? $"{v.ToString("0.##", CultureInfo.InvariantCulture)} °C" : "unknown";

    private async Task SendPendingSetpointsAsync(JulaboConnection connection, CancellationToken ct)
    {
        foreach (var (setpoint, celsius) in PendingSetpoints)
        {
            await connection.SendAsync(JulaboProtocol.WriteSetpoint(setpoint, celsius), ct);
            lock (_gate)
                if (_pendingSetpoints.TryGetValue(setpoint, out var still) && still == celsius) _pendingSetpoints.Remove(setpoint);
            _logger.LogInformation("Julabo: sent set point {Setpoint} = {Celsius} °C asked for while disconnected", setpoint, celsius);
        }
    }

    private void Wake() => _pause.Wake();

    private void LinkLost(JulaboConnection? connection, Exception e)
    {
        // A command on an old link must not tear down the new one.
        if (connection is not null && _connection is { } current && current != connection) return;
        _logger.LogWarning("Julabo: link lost: {Reason}", e.Message);
        lock (_gate) _lastError = e.Message;
        Apply(JulaboEvent.LinkLost);
        EndSession();
    }

    private void EndSession()
    {
        // The loop may be disposing this session right now; it is ending either way.
        try { _session?.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    /// <param name="onlyIfLinked">A status read on a link that another thread has meanwhile found dead is dropped.</param>
    private void Apply(JulaboEvent @event, bool onlyIfLinked = false, Func<JulaboStatus, JulaboStatus>? update = null)
    {
        JulaboStatus next;
        lock (_gate)
        {
            if (onlyIfLinked && _status.FsmState == JulaboState.Disconnected) return;
            var state = JulaboStateMachine.Next(_status.FsmState, @event);
            next = (update?.Invoke(_status) ?? _status) with { FsmState = state };
            if (next == _status) return;
            _status = next;
        }
        try { StatusChanged?.Invoke(next); }
        catch (Exception e) { _logger.LogError(e, "Julabo: a StatusChanged handler failed"); }
    }

    // ---- Operator commands: validated first; nothing is sent when they are refused ----

    public Task<CommandResult> StartAsync(CancellationToken ct = default) =>
        SendAsync(JulaboAction.Start, JulaboProtocol.StartStop(true), ReadBack.StatusOnly, ct);

    public Task<CommandResult> StopAsync(CancellationToken ct = default) =>
        SendAsync(JulaboAction.Stop, JulaboProtocol.StartStop(false), ReadBack.StatusOnly, ct);

    /// <summary>Writes set point 1–3. While disconnected the value is kept and sent when the link is back.</summary>
    public async Task<CommandResult> SetTemperatureAsync(int setpoint, double celsius, CancellationToken ct = default)
    {
        if ((JulaboLimits.CheckSetpoint(setpoint)
             ?? JulaboLimits.CheckTemperature(celsius, _options.TempMin, _options.TempMax)
             ?? JulaboLimits.CheckWarningBand(celsius, _options.WarningLimitLow, _options.WarningLimitHigh)) is { } refusal)
            return CommandResult.Refused(refusal);
        var what = $"set point {setpoint} = {celsius.ToString("0.00", CultureInfo.InvariantCulture)} °C";
        if (_connection is null || State == JulaboState.Disconnected) return Queue(setpoint, celsius, what);
        var queued = false;
        var readBack = new ReadBack(JulaboProtocol.ReadSetpoint(setpoint), raw =>
        {
            var value = JulaboProtocol.ParseNumber(raw);
            return s => setpoint switch { 1 => s with { Setpoint1 = value }, 2 => s with { Setpoint2 = value }, _ => s with { Setpoint3 = value } };
        });
        var result = await SendAsync(JulaboAction.Configure, JulaboProtocol.WriteSetpoint(setpoint, celsius), readBack, ct,
            whenLost: () => { queued = true; return Queue(setpoint, celsius, what); });
        // A value queued earlier for this set point is older than the one just sent: it must not overwrite it.
        if (result.Ok && !queued)
            lock (_gate) _pendingSetpoints.Remove(setpoint);
        return result;
    }

    public Task<CommandResult> UseSetpointAsync(int setpoint, CancellationToken ct = default) =>
        JulaboLimits.CheckSetpoint(setpoint) is { } refusal
            ? Task.FromResult(CommandResult.Refused(refusal))
            : SendAsync(JulaboAction.Configure, JulaboProtocol.SelectSetpoint(setpoint), new ReadBack(JulaboProtocol.ReadSelectedSetpoint(), raw =>
            {
                var used = JulaboProtocol.ParseSelectedSetpoint(raw);
                return s => s with { UsedSetpoint = used };
            }), ct);

    /// <summary>Puts the external Pt100 (true) or the internal bath sensor (false) in control.</summary>
    public Task<CommandResult> UseExternalSensorAsync(bool external, CancellationToken ct = default) =>
        SendAsync(JulaboAction.Configure, JulaboProtocol.UseExternalControl(external), new ReadBack(JulaboProtocol.ReadExternalControl(), raw =>
        {
            var used = JulaboProtocol.ParseFlag(raw);
            return s => s with { ExtIsUsed = used };
        }), ct);

    public Task<CommandResult> SetPumpPressureAsync(int stage, CancellationToken ct = default) =>
        JulaboLimits.CheckPumpStage(stage) is { } refusal
            ? Task.FromResult(CommandResult.Refused(refusal))
            : SendAsync(JulaboAction.Configure, JulaboProtocol.WritePumpStage(stage), ReadBack.StatusOnly, ct);

    /// <summary>Reads every value now instead of at the next poll (or retries the link now when disconnected).</summary>
    public Task<CommandResult> RefreshAsync()
    {
        Wake();
        return Task.FromResult(CommandResult.Done);
    }

    /// <summary>Closes the link and opens it again at once.</summary>
    public Task<CommandResult> ReconnectAsync()
    {
        lock (_gate) _lastError = "reconnect requested";
        Interlocked.Exchange(ref _reconnectNow, 1);
        if (_session is not null)
        {
            Apply(JulaboEvent.LinkLost);
            EndSession();
        }
        Wake();
        return Task.FromResult(CommandResult.Done);
    }

    private CommandResult Queue(int setpoint, double celsius, string what)
    {
        lock (_gate) _pendingSetpoints[setpoint] = celsius;
        _logger.LogInformation("Julabo: chiller is disconnected: {What} will be sent when it is back", what);
        return CommandResult.Done;
    }

    /// <summary>What to read after a command besides STATUS: the value it changed, and how that updates the status.</summary>
    private sealed record ReadBack(JulaboCommand? Query, Func<string, Func<JulaboStatus, JulaboStatus>>? Parse)
    {
        public static readonly ReadBack StatusOnly = new(null, null);
    }

    /// <summary>
    /// Sends an operator command and reads its effect back at once, before anything else is sent: STATUS (the state
    /// follows the unit's answer, so a start right after a stop is judged on the stop) and the value it changed. The
    /// rest of the values come with the poll this wakes.
    /// </summary>
    private async Task<CommandResult> SendAsync(JulaboAction action, JulaboCommand command, ReadBack readBack, CancellationToken ct,
        Func<CommandResult>? whenLost = null)
    {
        var connection = _connection;
        if (JulaboStateMachine.Refusal(State, action) is { } refusal) return CommandResult.Refused(refusal);
        if (connection is null) return CommandResult.Refused("the chiller is disconnected");
        JulaboUnitStatus unit;
        Func<JulaboStatus, JulaboStatus>? update;
        Interlocked.Increment(ref _commandCount);
        try
        {
            (unit, update) = await connection.SendAndReadBackAsync(command, readBack.Query, readBack.Parse ?? (_ => s => s), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LinkLost(connection, e);
            return whenLost?.Invoke() ?? CommandResult.Refused($"{command}: lost the chiller before it confirmed: {e.Message}");
        }
        _logger.LogInformation("Julabo: {Command}: the unit says {Status}", command, unit);
        lock (_gate)
        {
            _statusText = unit.Text;
            _lastError = null;
        }
        Apply(JulaboStateMachine.EventFor(unit), onlyIfLinked: true, s => (update?.Invoke(s) ?? s) with { StatusCode = unit.Code });
        Wake(); // the other values (power, the bath) at once rather than at the next poll
        // The unit does not answer OUT_ commands: one it refuses shows, once, in the STATUS right after it.
        return unit.IsEntryError ? CommandResult.Refused($"the chiller did not take {command}: it says {unit}") : CommandResult.Done;
    }

    public async ValueTask DisposeAsync() => await _disposed.CancelAsync();
}
