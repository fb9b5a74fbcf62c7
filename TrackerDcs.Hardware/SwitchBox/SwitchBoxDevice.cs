using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>
/// The 48-channel switch box as the DCS sees it: a poll loop (STATUS? every <see cref="SwitchBoxSettings.PollPeriod"/>),
/// the state machine of <see cref="SwitchBoxStateMachine"/>, commands checked against the seed's rules, and
/// reconnection with back-off. <see cref="RunAsync"/> is the loop (a hosted service's ExecuteAsync calls it);
/// commands may be called from any thread meanwhile, one at a time. Link failures never escape: they make the
/// device DISCONNECTED, and a refused command returns its reason instead of throwing.
/// <para>
/// A command is checked against the last status, which every command's answer and every poll keep current:
/// the box has one master on its serial line, so nothing else switches it except a hand at the box or a
/// fault, which the next poll shows (at most one poll period late). Commands are serialised, so two cannot
/// both pass the channel limit. The state follows a command within its own round trip: the box's answer
/// to it is the status after it.
/// </para>
/// </summary>
public sealed class SwitchBoxDevice : IAsyncDisposable
{
    private readonly Func<ITransport> _transportFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Lock _raising = new();
    private readonly SemaphoreSlim _commands = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private SwitchBoxSnapshot _snapshot;
    private SwitchBoxSnapshot _raised;
    private SwitchBoxConnection? _connection;
    private CancellationTokenSource? _session;

    /// <param name="transportFactory">Makes a new, unopened transport for each connection attempt; by default from <see cref="SwitchBoxSettings.Port"/>.</param>
    public SwitchBoxDevice(SwitchBoxSettings settings, TimeProvider? timeProvider = null, ILogger? logger = null, Func<ITransport>? transportFactory = null)
    {
        var problems = settings.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(settings));
        Settings = settings;
        _transportFactory = transportFactory ?? (() => Transports.Create(settings.Port, settings.Serial));
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _snapshot = _raised = new SwitchBoxSnapshot(SwitchBoxState.Disconnected, null, null, settings.MaxEnabledChannels);
    }

    public SwitchBoxSettings Settings { get; }

    /// <summary>The state, the last status and the last error, taken together. A client's STATUS? is answered from here.</summary>
    public SwitchBoxSnapshot Snapshot { get { lock (_gate) return _snapshot; } }

    /// <summary>The rules commands are checked against, with this device's channel limit, for a panel that shows them.</summary>
    public IReadOnlyList<SwitchBoxRule> Rules => SwitchBoxRules.All(Settings.MaxEnabledChannels);

    /// <summary>
    /// Raised when <see cref="Snapshot"/> changes, on the thread that changed it (the poll loop's or a command's).
    /// Calls do not overlap, and the last one always carries the latest snapshot.
    /// </summary>
    public event Action<SwitchBoxSnapshot>? SnapshotChanged;

    // ---- The loop ----

    /// <summary>Connects, polls, and reconnects with back-off until cancelled or disposed. Never throws.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var delay = Settings.ReconnectDelayMin;
        try
        {
            while (true)
            {
                var reachedBox = await RunSessionAsync(stop.Token);
                if (reachedBox) delay = Settings.ReconnectDelayMin;
                _logger.LogInformation("Switch box: reconnecting in {Delay} ms", delay.TotalMilliseconds);
                await Task.Delay(delay, _time, stop.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Settings.ReconnectDelayMax.Ticks));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One link from open to loss: the one boundary where transport errors become the DISCONNECTED state.
    /// Returns whether the box answered at all (which resets the back-off).
    /// </summary>
    private async Task<bool> RunSessionAsync(CancellationToken stop)
    {
        var reachedBox = false;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
        SwitchBoxConnection? connection = null;
        var opened = false;
        try
        {
            connection = new SwitchBoxConnection(_transportFactory(), Settings.ReplyTimeout, s => OnStatus(connection!, s), _time, _logger);
            await connection.OpenAsync(session.Token);
            opened = true;
            Changed(Opened(connection, session));
            _logger.LogInformation("Switch box: link open on {Link}", connection.Description);
            while (true)
            {
                var started = _time.GetTimestamp();
                await connection.ReadStatusAsync(session.Token);
                reachedBox = true;
                var rest = Settings.PollPeriod - _time.GetElapsedTime(started);
                if (rest <= TimeSpan.Zero) continue;
                // A link that dies meanwhile (a TCP peer closing, a USB adapter pulled) ends the wait: the
                // next poll then fails at once with the reason, instead of up to a poll period later.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(session.Token, connection.Ended);
                try { await Task.Delay(rest, _time, wait.Token); }
                catch (OperationCanceledException) when (!session.IsCancellationRequested) { }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            LinkLost(opened ? connection : null, null);
            throw;
        }
        catch (OperationCanceledException)
        {
            // A command found the link dead and ended the session; the reason is recorded already.
        }
        catch (Exception e)
        {
            if (e is not LinkException) _logger.LogError(e, "Switch box: unexpected failure; treating the link as lost");
            LinkLost(opened ? connection : null, e.Message);
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
        }
        return reachedBox;
    }

    private SwitchBoxSnapshot? Opened(SwitchBoxConnection connection, CancellationTokenSource session)
    {
        lock (_gate)
        {
            _connection = connection;
            _session = session;
            return Update(SwitchBoxEvent.LinkOpened, _snapshot.Status, _snapshot.LastError);
        }
    }

    // Called by the connection for every status it receives, before its next exchange can start.
    private void OnStatus(SwitchBoxConnection connection, SwitchBoxStatus status)
    {
        SwitchBoxSnapshot? changed;
        lock (_gate)
        {
            if (_connection != connection) return; // the late answer of a link already given up
            var broken = SwitchBoxRules.BrokenBy(status, Settings.MaxEnabledChannels);
            changed = Update(SwitchBoxStateMachine.EventFor(status, Settings.MaxEnabledChannels), status,
                broken is var (rule, why) ? $"{why}, against the rule {rule}" : null);
        }
        if (changed is { State: SwitchBoxState.Error }) _logger.LogError("Switch box: ERROR: {Reason}", changed.LastError);
        Changed(changed);
    }

    /// <param name="connection">The link that failed, or null when none was open; a link that is no longer current changes nothing.</param>
    /// <param name="reason">Why, or null to keep the last error (shutting down).</param>
    private void LinkLost(SwitchBoxConnection? connection, string? reason)
    {
        SwitchBoxSnapshot? changed;
        CancellationTokenSource? session;
        lock (_gate)
        {
            if (connection is not null && _connection != connection) return;
            _connection = null;
            session = _session;
            _session = null;
            changed = Update(SwitchBoxEvent.LinkLost, _snapshot.Status, reason ?? _snapshot.LastError);
        }
        if (reason is not null) _logger.LogWarning("Switch box: link lost: {Reason}", reason);
        // The loop may be disposing this session right now; it is ending either way.
        try { session?.Cancel(); }
        catch (ObjectDisposedException) { }
        Changed(changed);
    }

    // Under _gate: the next snapshot by the state table; null when nothing changed.
    private SwitchBoxSnapshot? Update(SwitchBoxEvent @event, SwitchBoxStatus? status, string? lastError)
    {
        var state = SwitchBoxStateMachine.Next(_snapshot.State, @event);
        var next = _snapshot with { State = state, Status = status, LastError = lastError };
        if (next == _snapshot) return null;
        if (next.State != _snapshot.State) _logger.LogInformation("Switch box: {From} → {To}", _snapshot.FsmState, next.FsmState);
        _snapshot = next;
        return next;
    }

    private void Changed(SwitchBoxSnapshot? changed)
    {
        if (changed is null) return;
        lock (_raising)
        {
            // Raised with the latest snapshot, so a handler never ends on an older one than the device holds.
            var latest = Snapshot;
            if (latest == _raised) return;
            _raised = latest;
            try { SnapshotChanged?.Invoke(latest); }
            catch (Exception e) { _logger.LogError(e, "Switch box: a SnapshotChanged handler failed"); }
        }
    }

    // ---- Commands: checked first; nothing reaches the box when they are refused ----

    /// <summary>
    /// Carries out one command of the box's command set. A refusal names its rule (or the state) and sends
    /// nothing. STATUS? sends nothing either: its answer is <see cref="Snapshot"/>. Done means the box's
    /// status shows the command carried out.
    /// </summary>
    public async Task<CommandResult> ExecuteAsync(SwitchBoxCommand command, CancellationToken cancellationToken = default)
    {
        if (command.IsQuery) return CommandResult.Done;
        await _commands.WaitAsync(cancellationToken);
        try
        {
            SwitchBoxSnapshot snapshot;
            SwitchBoxConnection? connection;
            lock (_gate) (snapshot, connection) = (_snapshot, _connection);
            var refusal = SwitchBoxStateMachine.Refusal(command, snapshot.State, snapshot.Status, Settings.MaxEnabledChannels)
                          ?? (connection is null ? $"{command} refused: the switch box is disconnected" : null);
            if (refusal is not null)
            {
                _logger.LogInformation("Switch box: {Refusal}", refusal);
                return CommandResult.Refused(refusal);
            }
            return await SendAsync(connection!, command, cancellationToken);
        }
        finally
        {
            _commands.Release();
        }
    }

    /// <summary>CH&lt;n&gt;|ON or CH&lt;n&gt;|OFF, with a channel number from an operator: one outside 1..48 is refused, not thrown.</summary>
    public Task<CommandResult> SwitchChannelAsync(int channel, bool on, CancellationToken cancellationToken = default) =>
        SwitchBoxProtocol.IsChannel(channel)
            ? ExecuteAsync(SwitchBoxCommand.Switch(channel, on), cancellationToken)
            : Task.FromResult(CommandResult.Refused($"channel {channel} does not exist (the box has channels 1..{SwitchBoxProtocol.ChannelCount})"));

    private async Task<CommandResult> SendAsync(SwitchBoxConnection connection, SwitchBoxCommand command, CancellationToken cancellationToken)
    {
        try
        {
            // The first status showing the command done, or, when none came in time, the status read back.
            var status = await connection.SendAsync(command, cancellationToken);
            if (!command.IsDoneIn(status))
            {
                _logger.LogWarning("Switch box: sent {Command}, but the box reports {Status}", command, status);
                return CommandResult.Refused($"{command} was sent, but the box reports {status}");
            }
            _logger.LogInformation("Switch box: {Command} done", command);
            return CommandResult.Done;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LinkLost(connection, e.Message);
            return CommandResult.Refused($"{command} not confirmed: lost the switch box: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync() => await _disposed.CancelAsync();
}
