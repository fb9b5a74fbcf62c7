using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// Talks to one Julabo unit over one opened transport: one command in flight at a time, at least
/// <c>commandInterval</c> between two commands (the unit drops commands that come faster), a reply
/// time-out, and resynchronisation after noise or silence (flush the input, retry once).
/// Every failure of the link comes out as <see cref="JulaboTransportException"/>, a reply that stays
/// unreadable after the retry as <see cref="JulaboProtocolException"/> quoting it.
/// </summary>
public sealed class JulaboConnection : IAsyncDisposable
{
    private readonly IJulaboTransport _transport;
    private readonly TimeSpan _commandInterval;
    private readonly TimeSpan _replyTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _inFlight = new(1, 1);
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new() { SingleReader = true, SingleWriter = true });
    private readonly JulaboLineFramer _framer = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly CancellationTokenSource _readerEnded = new();
    private Task _readLoop = Task.CompletedTask;
    private long _lastCommandEnd;
    private bool _sentAny;

    public JulaboConnection(IJulaboTransport transport, TimeSpan commandInterval, TimeSpan replyTimeout,
        TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _transport = transport;
        _commandInterval = commandInterval;
        _replyTimeout = replyTimeout;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public JulaboConnection(IJulaboTransport transport, JulaboSettings options, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(transport, options.CommandInterval, options.ReplyTimeout, timeProvider, logger) { }

    public string Description => _transport.Description;

    /// <summary>
    /// Opens the transport and starts receiving. A port that cannot be opened is a transport error;
    /// so is a TCP bridge that does not accept within a few reply time-outs (the OS would wait minutes).
    /// </summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        var limit = _replyTimeout * OpenTimeoutFactor;
        using var timeout = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await Guard(() => _transport.OpenAsync(linked.Token), "open");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new JulaboTimeoutException($"{Description}: could not open within {limit.TotalMilliseconds:0} ms");
        }
        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
    }

    private const int OpenTimeoutFactor = 5;

    public async Task<string> ReadVersionAsync(CancellationToken ct) => await QueryAsync(JulaboProtocol.Version(), JulaboProtocol.ParseVersion, ct);
    public async Task<JulaboUnitStatus> ReadStatusAsync(CancellationToken ct) => await QueryAsync(JulaboProtocol.Status(), JulaboProtocol.ParseStatus, ct);

    /// <summary>Sends a command that has a reply and parses it, retrying once after silence or an unreadable reply.</summary>
    public async Task<T> QueryAsync<T>(JulaboCommand command, Func<string, T> parse, CancellationToken cancellationToken)
    {
        if (!command.ExpectsReply) throw new ArgumentException($"{command.Name} has no reply; use SendAsync", nameof(command));
        await _inFlight.WaitAsync(cancellationToken);
        try
        {
            try
            {
                return parse(await ExchangeAsync(command, cancellationToken));
            }
            catch (Exception e) when (e is JulaboTimeoutException or JulaboProtocolException)
            {
                _logger.LogWarning("Julabo {Link}: {Command} failed ({Reason}); flushing input and retrying once", Description, command, e.Message);
                Resynchronise();
                return parse(await ExchangeAsync(command, cancellationToken));
            }
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

    private async Task<string> ExchangeAsync(JulaboCommand command, CancellationToken cancellationToken)
    {
        await PaceAsync(cancellationToken);
        try
        {
            // A line still queued here answers nothing we asked for (a late reply, noise): drop it.
            while (_lines.Reader.TryRead(out var stale))
                _logger.LogDebug("Julabo {Link}: dropping unsolicited {Line}", Description, JulaboProtocol.Quote(stale));
            await WriteAsync(command, cancellationToken);
            if (!command.ExpectsReply) return "";

            using var timeout = new CancellationTokenSource(_replyTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            try
            {
                return await _lines.Reader.ReadAsync(linked.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new JulaboTimeoutException($"{Description}: no reply to {command.Name} within {_replyTimeout.TotalMilliseconds:0} ms");
            }
            catch (ChannelClosedException)
            {
                throw ReaderFailure();
            }
        }
        finally
        {
            _lastCommandEnd = _time.GetTimestamp();
            _sentAny = true;
        }
    }

    private async Task WriteAsync(JulaboCommand command, CancellationToken cancellationToken)
    {
        // Once the reader has seen the link die, writing is pointless, and on a hung-up serial port a
        // pending write is what keeps the port from closing: a write is abandoned as soon as that happens.
        if (_readerEnded.IsCancellationRequested) throw ReaderFailure();

        // A write can block for good (no CTS from a switched-off unit, a dead pty), so it is bounded too.
        using var timeout = new CancellationTokenSource(_replyTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken, _readerEnded.Token);
        try
        {
            await Guard(async () => await _transport.WriteAsync(JulaboProtocol.Encode(command), linked.Token), $"write {command.Name}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (_readerEnded.IsCancellationRequested) throw ReaderFailure();
            throw new JulaboTimeoutException($"{Description}: could not send {command.Name} within {_replyTimeout.TotalMilliseconds:0} ms");
        }
    }

    private JulaboTransportException ReaderFailure() =>
        _lines.Reader.Completion.Exception?.InnerException as JulaboTransportException
        ?? new JulaboTransportException($"{Description}: link closed");

    // The interval runs from the end of one exchange to the start of the next, so a slow reply never shortens it.
    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        if (!_sentAny) return;
        // Timers may fire a tick early: wait again until the whole interval has really passed.
        for (var wait = _commandInterval - _time.GetElapsedTime(_lastCommandEnd); wait > TimeSpan.Zero;
             wait = _commandInterval - _time.GetElapsedTime(_lastCommandEnd))
            await Task.Delay(wait, _time, cancellationToken);
    }

    private void Resynchronise()
    {
        try { _transport.DiscardInput(); }
        catch (Exception e) when (IsLinkFailure(e)) { }
        lock (_framer) _framer.Clear();
        while (_lines.Reader.TryRead(out _)) { }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            await ReceiveAsync();
        }
        finally
        {
            await _readerEnded.CancelAsync();
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                var n = await _transport.ReadAsync(buffer, _closing.Token);
                if (n == 0) throw new JulaboTransportException($"{Description}: the peer closed the link");
                IReadOnlyList<string> lines;
                lock (_framer) lines = _framer.Push(buffer.AsSpan(0, n));
                foreach (var line in lines) _lines.Writer.TryWrite(line);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            _lines.Writer.TryComplete(new JulaboTransportException($"{Description}: connection closed"));
        }
        catch (JulaboTransportException e)
        {
            _lines.Writer.TryComplete(e);
        }
        catch (Exception e)
        {
            // Whatever stopped the reader ends this link; the waiting command reports it.
            _lines.Writer.TryComplete(new JulaboTransportException($"{Description}: read failed: {e.Message}", e));
        }
    }

    private async Task Guard(Func<Task> action, string what)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (IsLinkFailure(e))
        {
            throw new JulaboTransportException($"{Description}: {what} failed: {e.Message}", e);
        }
    }

    /// <summary>
    /// The exceptions a port or socket throws when the link is gone or cannot be had. SerialPort throws
    /// InvalidOperationException when used after the OS closed it, ArgumentException for a port name it
    /// cannot open, TimeoutException when a write waits too long for the handshake.
    /// </summary>
    private static bool IsLinkFailure(Exception e) =>
        e is IOException or SocketException or UnauthorizedAccessException or ObjectDisposedException
            or InvalidOperationException or TimeoutException or ArgumentException;

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await _transport.DisposeAsync();
        await _readLoop;
        _closing.Dispose();
        _readerEnded.Dispose();
    }
}
