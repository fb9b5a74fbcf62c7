namespace TrackerDcs.Web.Devices;

/// <summary>
/// The publish loop of every device service: publishes at once, then on every change (<see cref="Wake"/>)
/// and at least every <c>period</c>, so Grafana's writer gets a steady series even when nothing moves. A burst
/// of changes becomes one publish: a change right after a publish waits out <see cref="MinInterval"/>,
/// collecting the rest of its burst. A publish that throws or hangs (past <see cref="Timeout"/>) is logged and
/// never ends the loop: a device whose status cannot be published once must not fall silent for good.
/// </summary>
public sealed class PublishLoop(string what, TimeSpan period, TimeProvider time, ILogger log)
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _changed = new(0);

    /// <summary>Something changed: publish soon (at once, unless the last publish was less than <see cref="MinInterval"/> ago).</summary>
    public void Wake() => _changed.Release();

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled; never throws anything else.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> publish, CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await PublishOnceAsync(publish, stoppingToken);
                var published = time.GetTimestamp();
                await WaitForChangeAsync(stoppingToken);
                var since = time.GetElapsedTime(published);
                if (since < MinInterval) await Task.Delay(MinInterval - since, time, stoppingToken);
                while (_changed.CurrentCount > 0) await _changed.WaitAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PublishOnceAsync(Func<CancellationToken, Task> publish, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(Timeout, time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            await publish(bounded.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            log.LogWarning("Publishing {What} took longer than {Timeout} s; trying again", what, Timeout.TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Publishing {What} failed; trying again", what);
        }
    }

    /// <summary>Until a change or the period, whichever comes first.</summary>
    private async Task WaitForChangeAsync(CancellationToken stoppingToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await Task.WhenAny(Task.Delay(period, time, either.Token), _changed.WaitAsync(either.Token));
        await either.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
    }
}
