using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// Talks to one Julabo unit over one opened link: one command in flight at a time, at least
/// <c>commandInterval</c> between two commands (the unit drops commands that come faster), counted from when
/// the bytes of the previous one have left the port, a reply time-out, and resynchronisation after noise or
/// silence (flush the input, retry once).
/// Every failure of the link comes out as <see cref="LinkException"/> (<see cref="LinkTimeoutException"/> when
/// nothing came in time), a reply that stays unreadable after the retry as <see cref="JulaboProtocolException"/>
/// quoting it.
/// </summary>
public sealed class JulaboConnection : IAsyncDisposable
{
    private readonly LineLink _link;
    private readonly TimeSpan _commandInterval;
    private readonly TimeSpan _replyTimeout;
    private readonly SerialSettings? _line;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // A USB serial adapter takes the bytes from the host in 1 ms frames (USB full speed): they may start that much later.
    private static readonly TimeSpan UsbFrame = TimeSpan.FromMilliseconds(1);

    private readonly SemaphoreSlim _inFlight = new(1, 1);
    private long _lastCommandEnd;
    private TimeSpan _stillOnWire;
    private bool _sentAny;
    // A reply did not come in time. It may still come, and the unit's replies do not name their command: taken by the
    // next command, it would shift every answer by one (set point 2 reading set point 1's value) with nothing to show it.
    private bool _replyOverdue;

    /// <param name="line">
    /// The serial line's settings, for the time a command takes on the wire (also behind a TCP serial bridge,
    /// which sends at the line's baud rate); null: no wire time is added.
    /// </param>
    public JulaboConnection(ITransport transport, TimeSpan commandInterval, TimeSpan replyTimeout,
        TimeProvider? timeProvider = null, ILogger? logger = null, SerialSettings? line = null)
    {
        _commandInterval = commandInterval;
        _replyTimeout = replyTimeout;
        _line = line;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _link = new LineLink(transport, replyTimeout, _time);
    }

    public JulaboConnection(ITransport transport, JulaboSettings options, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(transport, options.CommandInterval, options.ReplyTimeout, timeProvider, logger, options.Serial) { }

    public string Description => _link.Description;

    /// <summary>Raised after every readable reply: the unit is there (the disconnected alarm counts from the last one).</summary>
    public event Action? Replied;

    /// <summary>
    /// Opens the transport and starts receiving. A port that cannot be opened is a link error; so is a TCP
    /// bridge that does not accept within a few reply time-outs (the OS would wait minutes).
    /// </summary>
    public Task OpenAsync(CancellationToken cancellationToken) => _link.OpenAsync(cancellationToken);

    public async Task<string> ReadVersionAsync(CancellationToken ct) => await QueryAsync(JulaboProtocol.Version(), JulaboProtocol.ParseVersion, ct);
    public async Task<JulaboUnitStatus> ReadStatusAsync(CancellationToken ct) => await QueryAsync(JulaboProtocol.Status(), JulaboProtocol.ParseStatus, ct);

    /// <summary>Sends a command that has a reply and parses it, retrying once after silence or an unreadable reply.</summary>
    public async Task<T> QueryAsync<T>(JulaboCommand command, Func<string, T> parse, CancellationToken cancellationToken)
    {
        if (!command.ExpectsReply) throw new ArgumentException($"{command.Name} has no reply; use SendAsync", nameof(command));
        await _inFlight.WaitAsync(cancellationToken);
        try
        {
            return await QueryHeldAsync(command, parse, cancellationToken);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>Sends an OUT_ command. The unit does not answer these; a refused value shows in the next STATUS.</summary>
    public async Task SendAsync(JulaboCommand command, CancellationToken cancellationToken)
    {
        if (command.ExpectsReply) throw new ArgumentException($"{command.Name} has a reply; use QueryAsync", nameof(command));
        await _inFlight.WaitAsync(cancellationToken);
        try
        {
            await ExchangeAsync(command, cancellationToken);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>
    /// Sends an OUT_ command and reads its effect back at once, with no other command in between: STATUS (a refused
    /// command or value shows there, once) and then <paramref name="readBack"/>, the value the command changed, if any.
    /// </summary>
    public async Task<(JulaboUnitStatus Status, T? Value)> SendAndReadBackAsync<T>(JulaboCommand command, JulaboCommand? readBack,
        Func<string, T> parse, CancellationToken cancellationToken) where T : class
    {
        if (command.ExpectsReply) throw new ArgumentException($"{command.Name} has a reply; use QueryAsync", nameof(command));
        await _inFlight.WaitAsync(cancellationToken);
        try
        {
            await ExchangeAsync(command, cancellationToken);
            var status = await QueryHeldAsync(JulaboProtocol.Status(), JulaboProtocol.ParseStatus, cancellationToken);
            var value = readBack is null ? null : await QueryHeldAsync(readBack, parse, cancellationToken);
            return (status, value);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    // Called with _inFlight held.
    private async Task<T> QueryHeldAsync<T>(JulaboCommand command, Func<string, T> parse, CancellationToken cancellationToken)
    {
        T value;
        try
        {
            value = parse(await ExchangeAsync(command, cancellationToken));
        }
        catch (Exception e) when (e is LinkTimeoutException or JulaboProtocolException)
        {
            _logger.LogWarning("Julabo {Link}: {Command} failed ({Reason}); flushing input and retrying once", Description, command, e.Message);
            _link.DiscardInput();
            value = parse(await ExchangeAsync(command, cancellationToken));
        }
        Replied?.Invoke();
        return value;
    }

    private async Task<string> ExchangeAsync(JulaboCommand command, CancellationToken cancellationToken)
    {
        await PaceAsync(cancellationToken);
        if (_replyOverdue) await DrainLateRepliesAsync(cancellationToken);
        try
        {
            // A line still queued here answers nothing we asked for (a late reply, noise): drop it.
            while (_link.TryReadLine(out var stale))
                _logger.LogDebug("Julabo {Link}: dropping unsolicited {Line}", Description, JulaboProtocol.Quote(stale));
            var bytes = JulaboProtocol.Encode(command);
            // The write returns once the bytes are queued in the driver; they leave at the line's pace. A reply proves
            // they have left; a command without one is still on the wire for this long after the write returns.
            _stillOnWire = TimeSpan.Zero;
            await _link.WriteAsync(bytes, command.Name, cancellationToken);
            if (!command.ExpectsReply)
            {
                _stillOnWire = _line is null ? TimeSpan.Zero : _line.TimeOnWire(bytes.Length) + UsbFrame;
                return "";
            }
            try
            {
                return await _link.ReadLineAsync(_replyTimeout, cancellationToken);
            }
            catch (LinkTimeoutException)
            {
                _replyOverdue = true;
                throw new LinkTimeoutException($"{Description}: no reply to {command.Name} within {_replyTimeout.TotalMilliseconds:0} ms");
            }
        }
        finally
        {
            _lastCommandEnd = _time.GetTimestamp();
            _sentAny = true;
        }
    }

    /// <summary>
    /// After a reply did not come in time: nothing is sent until the line has been quiet for a reply time-out, and
    /// whatever comes meanwhile is dropped. A reply later than twice the time-out can still be mistaken; a unit that
    /// slow fails its queries and the link is dropped.
    /// </summary>
    private async Task DrainLateRepliesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            string late;
            try
            {
                late = await _link.ReadLineAsync(_replyTimeout, cancellationToken);
            }
            catch (LinkTimeoutException)
            {
                _replyOverdue = false;
                return;
            }
            _logger.LogWarning("Julabo {Link}: dropping the late reply {Line}: it answers a command already given up on",
                Description, JulaboProtocol.Quote(late));
        }
    }

    // The interval runs from the end of one exchange to the start of the next, so a slow reply never shortens it;
    // after a command without a reply, from when its last character has left the port.
    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        if (!_sentAny) return;
        var interval = _commandInterval + _stillOnWire;
        // Timers may fire a tick early: wait again until the whole interval has really passed.
        for (var wait = interval - _time.GetElapsedTime(_lastCommandEnd); wait > TimeSpan.Zero;
             wait = interval - _time.GetElapsedTime(_lastCommandEnd))
            await Task.Delay(wait, _time, cancellationToken);
    }

    public ValueTask DisposeAsync() => _link.DisposeAsync();
}
