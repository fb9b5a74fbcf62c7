using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Threading.Channels;

namespace TrackerDcs.Hardware.Common;

/// <summary>
/// One opened, line-oriented link to an instrument over a <see cref="ITransport"/>: a reader that frames
/// what arrives into lines as it comes, and writes and reads bounded in time. It knows no protocol: which
/// line answers which command is its user's business. Every failure of the port or socket comes out as
/// <see cref="LinkException"/>, running out of time as <see cref="LinkTimeoutException"/>.
/// </summary>
public sealed class LineLink : IAsyncDisposable
{
    // A TCP bridge that does not accept within a few time-outs is not going to (the OS would wait minutes).
    private const int OpenTimeoutFactor = 5;

    private readonly ITransport _transport;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly LineFramer _framer;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new() { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _closing = new();
    private readonly CancellationTokenSource _readerEnded = new();
    private Task _readLoop = Task.CompletedTask;

    /// <param name="timeout">How long a write may take, and (times five) an open.</param>
    public LineLink(ITransport transport, TimeSpan timeout, TimeProvider? timeProvider = null, int maxLineLength = LineFramer.DefaultMaxLineLength)
    {
        _transport = transport;
        _timeout = timeout;
        _time = timeProvider ?? TimeProvider.System;
        _framer = new LineFramer(maxLineLength);
    }

    public string Description => _transport.Description;

    /// <summary>
    /// Cancelled as soon as the reader stops (the peer closed the link, the port failed): a user waiting for
    /// something else, such as its next poll, can notice the loss at once. The next read or write says why.
    /// </summary>
    public CancellationToken Ended => _readerEnded.Token;

    /// <summary>Opens the transport and starts receiving.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        var limit = _timeout * OpenTimeoutFactor;
        using var timeout = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await Guard(() => _transport.OpenAsync(linked.Token), "open");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new LinkTimeoutException($"{Description}: could not open within {limit.TotalMilliseconds:0} ms");
        }
        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
    }

    /// <summary>Writes bytes; <paramref name="what"/> names them in an error ("STATUS?").</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, string what, CancellationToken cancellationToken)
    {
        // Once the reader has seen the link die, writing is pointless, and on a hung-up serial port a
        // pending write is what keeps the port from closing: a write is abandoned as soon as that happens.
        if (_readerEnded.IsCancellationRequested) throw ReaderFailure();

        // A write can block for good (no CTS from a switched-off unit, a dead pty), so it is bounded too.
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken, _readerEnded.Token);
        try
        {
            await Guard(async () => await _transport.WriteAsync(data, linked.Token), $"write {what}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (_readerEnded.IsCancellationRequested) throw ReaderFailure();
            throw new LinkTimeoutException($"{Description}: could not send {what} within {_timeout.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>The next received line, waiting at most <paramref name="timeout"/>.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
            return TryReadLine(out var ready) ? ready : throw new LinkTimeoutException($"{Description}: no line in time");
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            return await _lines.Reader.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new LinkTimeoutException($"{Description}: no line within {timeout.TotalMilliseconds:0} ms");
        }
        catch (ChannelClosedException)
        {
            throw ReaderFailure();
        }
    }

    /// <summary>A line received and not yet read, if there is one (a late answer, noise).</summary>
    public bool TryReadLine([MaybeNullWhen(false)] out string line) => _lines.Reader.TryRead(out line);

    /// <summary>Drops everything received and not read: the driver's buffer, a half line, queued lines.</summary>
    public void DiscardInput()
    {
        try { _transport.DiscardInput(); }
        catch (Exception e) when (IsLinkFailure(e)) { }
        lock (_framer) _framer.Clear();
        while (_lines.Reader.TryRead(out _)) { }
    }

    private LinkException ReaderFailure() =>
        _lines.Reader.Completion.Exception?.InnerException as LinkException ?? new LinkException($"{Description}: link closed");

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
                if (n == 0) throw new LinkException($"{Description}: the peer closed the link");
                IReadOnlyList<string> lines;
                lock (_framer) lines = _framer.Push(buffer.AsSpan(0, n));
                foreach (var line in lines) _lines.Writer.TryWrite(line);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            _lines.Writer.TryComplete(new LinkException($"{Description}: connection closed"));
        }
        catch (LinkException e)
        {
            _lines.Writer.TryComplete(e);
        }
        catch (Exception e)
        {
            // Whatever stopped the reader ends this link; the waiting reader of lines reports it.
            _lines.Writer.TryComplete(new LinkException($"{Description}: read failed: {e.Message}", e));
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
            throw new LinkException($"{Description}: {what} failed: {e.Message}", e);
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
