namespace TrackerDcs.Hardware.Common;

/// <summary>
/// A poll loop's pause that a command can cut short (to read its effect back at once, or to reconnect now),
/// on the given clock so that tests can drive it. Wakes that come while nobody sleeps are kept for the next sleep,
/// then all of them are cleared: one wake-up, however many asked.
/// </summary>
public sealed class WakeableDelay(TimeProvider time)
{
    private readonly SemaphoreSlim _wake = new(0);

    public void Wake() => _wake.Release();

    public async Task SleepAsync(TimeSpan duration, CancellationToken ct)
    {
        if (duration > TimeSpan.Zero)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sleep = Task.Delay(duration, time, either.Token);
            var wake = _wake.WaitAsync(either.Token);
            await Task.WhenAny(sleep, wake);
            await either.CancelAsync();
        }
        while (_wake.CurrentCount > 0) _wake.Wait(0);
        ct.ThrowIfCancellationRequested();
    }
}
