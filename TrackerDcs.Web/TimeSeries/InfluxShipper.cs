namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// Moves the spool to InfluxDB in order, one batch at a time. A batch refused as malformed is split into
/// single lines so the good ones get through and each bad one goes to the dead letters with its reason;
/// a batch that cannot be written now is retried with exponential back-off, or after the server's Retry-After.
/// </summary>
public sealed class InfluxShipper(
    Spool spool,
    IInfluxSink sink,
    DeadLetters deadLetters,
    TimeSeriesOptions options,
    TimeProvider time,
    ILogger<InfluxShipper> log) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private readonly SemaphoreSlim _wake = new(0);
    private string? _failure;

    public string? Failure => Volatile.Read(ref _failure);

    public void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!spool.IsEmpty) log.LogInformation("Time-series spool holds {Bytes} bytes from before: replaying to {Sink}", spool.PendingBytes, sink.Describe);
        var delay = FirstRetryDelay;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                List<string> lines;
                long end;
                try
                {
                    (lines, end) = spool.Peek(options.BatchSize);
                }
                catch (IOException e)
                {
                    log.LogError("Time-series spool unreadable ({Error}); trying again in {Wait}", e.Message, options.MaxRetryDelay);
                    await Task.Delay(options.MaxRetryDelay, time, stoppingToken);
                    continue;
                }
                if (lines.Count == 0)
                {
                    await _wake.WaitAsync(options.FlushInterval, stoppingToken);
                    continue;
                }
                WriteOutcome outcome;
                try
                {
                    outcome = await sink.WriteAsync(lines, stoppingToken);
                    if (outcome.Result == WriteResult.Rejected) outcome = await WriteOneByOneAsync(lines, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Whatever a client library throws, the lines stay spooled and the process keeps running.
                    outcome = new WriteOutcome(WriteResult.Retry, $"{e.GetType().Name}: {e.Message}");
                }
                if (outcome.Result == WriteResult.Retry)
                {
                    var wait = outcome.RetryAfter ?? delay;
                    if (Failure is null) log.LogWarning("{Sink} not writable ({Reason}); readings stay in the spool, retrying in {Wait}", sink.Describe, outcome.Reason, wait);
                    Volatile.Write(ref _failure, outcome.Reason);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
                    await Task.Delay(wait, time, stoppingToken);
                    continue;
                }
                spool.Commit(end);
                if (Failure is not null) log.LogInformation("{Sink} writable again; {Bytes} bytes left in the spool", sink.Describe, spool.PendingBytes);
                Volatile.Write(ref _failure, null);
                delay = FirstRetryDelay;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>A line that needs a retry stops the split and the whole batch is tried again later: lines already written overwrite themselves.</summary>
    private async Task<WriteOutcome> WriteOneByOneAsync(List<string> lines, CancellationToken cancellationToken)
    {
        foreach (var line in lines)
        {
            var outcome = await sink.WriteAsync([line], cancellationToken);
            if (outcome.Result == WriteResult.Retry) return outcome;
            if (outcome.Result == WriteResult.Rejected) Reject(line, outcome.Reason);
        }
        return WriteOutcome.Written;
    }

    private void Reject(string line, string? reason)
    {
        deadLetters.Add(line, reason ?? "rejected");
        log.LogWarning("InfluxDB refused a point ({Reason}); kept in {Path}", reason, deadLetters.Path);
    }
}
