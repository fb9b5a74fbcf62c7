using Microsoft.Extensions.Logging;
using TrackerDcs.Hardware.Common;

namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>
/// Talks to one switch box over one opened link: one command in flight at a time, its answer matched by
/// order (see <see cref="SwitchBoxProtocol"/>). Lines that are not a status are skipped and quoted in the
/// time-out's message if no status follows. Every status received is handed to <c>onStatus</c> before the
/// next command can start, so statuses are applied in the order the box sent them.
/// Link failures and time-outs come out as <see cref="LinkException"/>.
/// </summary>
internal sealed class SwitchBoxConnection(ITransport transport, TimeSpan replyTimeout, Action<SwitchBoxStatus> onStatus, TimeProvider time, ILogger logger)
    : IAsyncDisposable
{
    private readonly LineLink _link = new(transport, replyTimeout, time);
    private readonly SemaphoreSlim _inFlight = new(1, 1);

    public string Description => _link.Description;

    public Task OpenAsync(CancellationToken cancellationToken) => _link.OpenAsync(cancellationToken);

    /// <summary>Cancelled when the link has died; the next exchange throws the reason.</summary>
    public CancellationToken Ended => _link.Ended;

    /// <summary>STATUS?, asked once more after silence or noise (the first answer may have been lost on the line).</summary>
    public async Task<SwitchBoxStatus> ReadStatusAsync(CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken);
        try
        {
            return await StatusWithRetryAsync(cancellationToken);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>
    /// Sends a switching command and returns the box's status after it: the command's own answer, or, when
    /// that does not come, the answer to STATUS?. The command itself is never sent twice: the status read
    /// back tells whether it took.
    /// </summary>
    public async Task<SwitchBoxStatus> SendAsync(SwitchBoxCommand command, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken);
        try
        {
            try
            {
                return await ExchangeAsync(command, cancellationToken);
            }
            catch (LinkTimeoutException e)
            {
                logger.LogWarning("Switch box {Link}: {Reason}; reading the status back", Description, e.Message);
                return await StatusWithRetryAsync(cancellationToken);
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async Task<SwitchBoxStatus> StatusWithRetryAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ExchangeAsync(SwitchBoxCommand.StatusQuery, cancellationToken);
        }
        catch (LinkTimeoutException e)
        {
            logger.LogWarning("Switch box {Link}: {Reason}; flushing input and asking once more", Description, e.Message);
            _link.DiscardInput();
            return await ExchangeAsync(SwitchBoxCommand.StatusQuery, cancellationToken);
        }
    }

    private async Task<SwitchBoxStatus> ExchangeAsync(SwitchBoxCommand command, CancellationToken cancellationToken)
    {
        // A line still queued answers nothing we are about to ask (a late or an extra answer): drop it.
        while (_link.TryReadLine(out var stale))
            logger.LogDebug("Switch box {Link}: dropping unsolicited {Line}", Description, RawText.Quote(stale));
        await _link.WriteAsync(SwitchBoxProtocol.Encode(command), command.ToString(), cancellationToken);

        var started = time.GetTimestamp();
        string? lastBad = null;
        while (true)
        {
            var left = replyTimeout - time.GetElapsedTime(started);
            string line;
            try
            {
                line = await _link.ReadLineAsync(left, cancellationToken);
            }
            catch (LinkTimeoutException)
            {
                throw new LinkTimeoutException($"{Description}: no status in answer to {command} within {replyTimeout.TotalMilliseconds:0} ms" +
                                               (lastBad is null ? "" : $"; instead: {lastBad}"));
            }
            if (SwitchBoxProtocol.TryParseStatus(line, out var status, out var error))
            {
                // Every status is the box's state when it was sent, so it is applied; but one that does not show a
                // switching command carried out may be a late or repeated answer to an earlier line still on its
                // way: the answer is the first status that shows the command done. A box that really refused it
                // sends none, and the caller reads the status back after the time-out.
                onStatus(status);
                if (command.IsDoneIn(status)) return status;
                logger.LogDebug("Switch box {Link}: {Status} does not show {Command} done; reading on", Description, status, command);
                continue;
            }
            logger.LogWarning("Switch box {Link}: ignoring {Error}", Description, error);
            lastBad = error;
        }
    }

    public ValueTask DisposeAsync() => _link.DisposeAsync();
}
