namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// Moves batches to InfluxDB. On the healthy path (spool empty, last write accepted) a batch from the writer is
/// posted straight from memory, with up to <see cref="TimeSeriesOptions.MaxWritesInFlight"/> requests awaiting
/// their answer, and never touches the disk. A batch that is not accepted (server away, overloaded, or refusing a
/// line) goes to the spool, and so does every batch after it until the spool is delivered again: from the spool,
/// batches go one at a time in order, a batch refused as malformed is split into single lines so the good ones get
/// through and each bad one goes to the dead letters with its reason, and a batch that cannot be written now is
/// retried with exponential back-off, or after the server's Retry-After.
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
    /// <summary>Batches waiting in memory beyond those in flight; the writer waits for room beyond that.</summary>
    private const int QueuedBatches = 4;

    private readonly SemaphoreSlim _wake = new(0);
    // A monitor (not a Lock): the writer waits on it for room in memory.
    private readonly object _gate = new();
    // Under _gate: batches from the writer not yet posted, oldest first, and whether new ones may wait here.
    private readonly Queue<LineBatch> _fresh = new();
    private bool _healthy = spool.IsEmpty;
    // Under _gate: readings lost since the spool's disk stopped taking appends.
    private long _lostOnDisk;
    // Only the loop touches these: posted batches awaiting their answer, oldest first.
    private readonly Queue<(LineBatch Batch, Task<WriteOutcome> Write)> _inFlight = new();
    private string? _failure;

    public string? Failure => Volatile.Read(ref _failure);

    public void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    /// <summary>
    /// Takes the writer's batch (and its ownership). In memory while all is well; otherwise appended to the spool,
    /// after whatever still waits in memory, so the spool keeps the writer's order. False: the spool is full and the
    /// batch is dropped.
    /// A writer ahead of a healthy InfluxDB waits here for room (back-pressure: its own queue takes the burst) rather
    /// than send every batch through the disk, where one fsynced append and one write at a time would slow the
    /// shipper further. If no room appears within the write timeout, InfluxDB is taken to be stuck and the batches go
    /// to the spool.
    /// </summary>
    public bool Enqueue(LineBatch batch)
    {
        try
        {
            lock (_gate)
            {
                var until = Environment.TickCount64 + (long)options.Influx.Timeout.TotalMilliseconds;
                while (_healthy && _fresh.Count >= QueuedBatches && Environment.TickCount64 < until)
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(Math.Max(1, until - Environment.TickCount64)));
                if (_healthy && _fresh.Count < QueuedBatches)
                {
                    _fresh.Enqueue(batch);
                    batch = null!;
                    return true;
                }
                _healthy = false;
                // A full spool is the store's to report (once, not per batch).
                return SpoolFreshLocked() && SpoolLocked(batch, reportFull: false);
            }
        }
        finally
        {
            batch?.Dispose();
            Wake();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!spool.IsEmpty) log.LogInformation("Time-series spool holds {Bytes} bytes from before: replaying to {Sink}", spool.PendingBytes, sink.Describe);
        var delay = FirstRetryDelay;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var (posted, failure) = await PostFreshAsync(stoppingToken);
                if (failure is not null)
                {
                    // The batch is spooled; the spool's first attempt waits as any retry does.
                    await Task.Delay(failure.RetryAfter ?? delay, time, stoppingToken);
                    delay = Longer(delay);
                }
                else if (posted) continue;
                else if (spool.IsEmpty) await _wake.WaitAsync(options.FlushInterval, stoppingToken);
                else delay = await ShipSpooledAsync(delay, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            // Stopping: what was not acknowledged is kept for the next start (a replay overwrites, never doubles).
            // Each request is awaited first: the batch's buffer goes back to the pool only once the client is done with it.
            while (_inFlight.TryDequeue(out var posted))
            {
                var written = false;
                try
                {
                    written = (await posted.Write).Result == WriteResult.Written;
                }
                catch (OperationCanceledException) { }
                if (!written) lock (_gate) SpoolLocked(posted.Batch);
                posted.Batch.Dispose();
            }
            lock (_gate)
            {
                _healthy = false;
                SpoolFreshLocked();
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>
    /// Posts the batches waiting in memory, up to MaxWritesInFlight at a time; answers are taken oldest first, so a
    /// batch that fails reaches the spool in the writer's order. Whether anything was posted, and the first answer
    /// that asks for a retry.
    /// </summary>
    private async Task<(bool Posted, WriteOutcome? Failure)> PostFreshAsync(CancellationToken stoppingToken)
    {
        var posted = false;
        WriteOutcome? failure = null;
        while (true)
        {
            while (_inFlight.Count < options.MaxWritesInFlight && TakeFresh() is { } batch)
            {
                _inFlight.Enqueue((batch, WriteAsync(batch, stoppingToken)));
                posted = true;
            }
            if (!_inFlight.TryPeek(out var oldest)) return (posted, failure);
            var outcome = await oldest.Write;
            _inFlight.Dequeue();
            if (outcome.Result == WriteResult.Written)
            {
                if (Volatile.Read(ref _healthy)) Recovered();
                oldest.Batch.Dispose();
                continue;
            }
            // Not accepted: from here on the spool's path (back-off, Retry-After, splitting a refused batch) takes over.
            // A later batch still in flight that fails follows it into the spool; one that was accepted is done. Only
            // a batch that fails after newer ones were spooled lands behind them, which matters to InfluxDB only if
            // both hold the same series and time.
            lock (_gate)
            {
                _healthy = false;
                SpoolFreshLocked();
                SpoolLocked(oldest.Batch);
                Monitor.PulseAll(_gate);
            }
            oldest.Batch.Dispose();
            if (outcome.Result == WriteResult.Retry)
            {
                NotWritable(outcome);
                failure ??= outcome;
            }
        }
    }

    private LineBatch? TakeFresh()
    {
        lock (_gate)
        {
            if (!_healthy || !_fresh.TryDequeue(out var batch)) return null;
            Monitor.PulseAll(_gate);
            return batch;
        }
    }

    /// <summary>One batch from the spool, in order; the back-off to use next.</summary>
    private async Task<TimeSpan> ShipSpooledAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        LineBatch batch;
        long end;
        try
        {
            (batch, end) = spool.PeekBatch(options.BatchSize);
        }
        catch (IOException e)
        {
            log.LogError("Time-series spool unreadable ({Error}); trying again in {Wait}", e.Message, options.MaxRetryDelay);
            await Task.Delay(options.MaxRetryDelay, time, stoppingToken);
            return delay;
        }
        using (batch)
        {
            var outcome = await WriteAsync(batch, stoppingToken);
            if (outcome.Result == WriteResult.Rejected) outcome = await WriteOneByOneAsync(batch, stoppingToken);
            if (outcome.Result == WriteResult.Retry)
            {
                NotWritable(outcome);
                await Task.Delay(outcome.RetryAfter ?? delay, time, stoppingToken);
                return Longer(delay);
            }
        }
        lock (_gate)
        {
            spool.Commit(end);
            // Delivered up to the last line: new batches may skip the disk again.
            if (spool.IsEmpty) _healthy = true;
        }
        if (Failure is not null) log.LogInformation("{Sink} writable again; {Bytes} bytes left in the spool", sink.Describe, spool.PendingBytes);
        Recovered();
        return FirstRetryDelay;
    }

    /// <summary>Whatever a client library throws, the batch is kept and the process keeps running.</summary>
    private async Task<WriteOutcome> WriteAsync(LineBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            return await sink.WriteAsync(batch, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new WriteOutcome(WriteResult.Retry, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>A line that needs a retry stops the split and the whole batch is tried again later: lines already written overwrite themselves.</summary>
    private async Task<WriteOutcome> WriteOneByOneAsync(LineBatch batch, CancellationToken cancellationToken)
    {
        foreach (var line in batch.Lines())
        {
            using var single = LineBatch.Of([line]);
            var outcome = await WriteAsync(single, cancellationToken);
            if (outcome.Result == WriteResult.Retry) return outcome;
            if (outcome.Result == WriteResult.Rejected) Reject(line, outcome.Reason);
        }
        return WriteOutcome.Written;
    }

    private void NotWritable(WriteOutcome outcome)
    {
        if (Failure is null) log.LogWarning("{Sink} not writable ({Reason}); readings go to the spool, retrying", sink.Describe, outcome.Reason);
        Volatile.Write(ref _failure, outcome.Reason);
    }

    private TimeSpan Longer(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));

    private void Recovered() => Volatile.Write(ref _failure, null);

    private bool SpoolFreshLocked()
    {
        var kept = true;
        while (_fresh.TryDequeue(out var batch))
        {
            kept &= SpoolLocked(batch);
            batch.Dispose();
        }
        return kept;
    }

    /// <summary>Appends to the spool; false when its bound or its disk refuses the batch.</summary>
    private bool SpoolLocked(LineBatch batch, bool reportFull = true)
    {
        bool appended;
        try
        {
            appended = spool.TryAppend(batch);
        }
        catch (IOException e)
        {
            // A full data disk: the batch is lost, the shipper goes on (an exception here would end it, and the host
            // with it). Said once when it starts and once when it ends, not for every batch in between.
            if (_lostOnDisk == 0) log.LogError("Time-series spool cannot be written ({Error}): readings are lost until the disk has room", e.Message);
            _lostOnDisk += batch.Count;
            return false;
        }
        if (_lostOnDisk > 0 && appended)
        {
            log.LogWarning("Time-series spool written again; {Count} readings were lost while it could not be", _lostOnDisk);
            _lostOnDisk = 0;
        }
        if (!appended && reportFull) log.LogError("Time-series spool full: {Count} readings dropped", batch.Count);
        return appended;
    }

    private void Reject(string line, string? reason)
    {
        deadLetters.Add(line, reason ?? "rejected");
        log.LogWarning("InfluxDB refused a point ({Reason}); kept in {Path}", reason, deadLetters.Path);
    }
}
