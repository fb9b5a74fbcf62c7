using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Tests.Julabo;
using TrackerDcs.Web.Devices;

namespace TrackerDcs.Tests.Devices;

/// <summary>The publish loop every device service runs, on a fake clock: at once, on change (a burst coalesced), every period, never ended by a publish.</summary>
public sealed class PublishLoopTests : IAsyncLifetime
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _clock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly PublishLoop _loop;
    private readonly List<DateTimeOffset> _times = [];
    private int _publishes;
    private Task? _run;

    public PublishLoopTests() => _loop = new PublishLoop("the test status", Period, _clock, NullLogger.Instance);

    private void Start(Func<int, CancellationToken, Task> publish) =>
        _run = _loop.RunAsync(ct =>
        {
            lock (_times) _times.Add(_clock.GetUtcNow());
            return publish(Interlocked.Increment(ref _publishes), ct);
        }, _stop.Token);

    /// <summary>Fake time between the first two publishes.</summary>
    private TimeSpan FirstInterval { get { lock (_times) return _times[1] - _times[0]; } }

    private int Publishes => Volatile.Read(ref _publishes);

    /// <summary>Moves the fake clock on in small steps until the condition holds (the loop's timers are set on its own thread).</summary>
    private async Task AdvanceUntil(Func<bool> condition, TimeSpan step, string what)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            _clock.Advance(step);
            await Task.Delay(1);
        }
        Assert.True(condition(), what);
    }

    [Fact]
    public async Task Publishes_at_once_then_every_period()
    {
        Start((_, _) => Task.CompletedTask);
        await Eventually.True(() => Publishes == 1, "the first publish, at once");
        await AdvanceUntil(() => Publishes == 2, TimeSpan.FromMilliseconds(100), "the periodic publish");
        Assert.InRange(FirstInterval, Period, Period + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_burst_of_changes_right_after_a_publish_becomes_one_publish()
    {
        Start((_, _) => Task.CompletedTask);
        await Eventually.True(() => Publishes == 1, "the first publish");
        for (var i = 0; i < 20; i++) _loop.Wake();
        await AdvanceUntil(() => Publishes == 2, TimeSpan.FromMilliseconds(10), "the burst published");
        Assert.InRange(FirstInterval, PublishLoop.MinInterval, Period - TimeSpan.FromSeconds(1));
        _clock.Advance(PublishLoop.MinInterval);
        await Task.Delay(50);
        Assert.Equal(2, Publishes);
    }

    [Fact]
    public async Task A_publish_that_throws_or_hangs_does_not_end_the_loop()
    {
        Start((n, ct) => n switch
        {
            1 => throw new InvalidOperationException("the broker refused"),
            2 => Task.Delay(Timeout.InfiniteTimeSpan, _clock, ct),   // ends only when the loop's timeout cancels it
            _ => Task.CompletedTask,
        });
        await Eventually.True(() => Publishes == 1, "the first publish");
        _loop.Wake();
        await AdvanceUntil(() => Publishes == 2, TimeSpan.FromMilliseconds(10), "a publish after the one that threw");
        await AdvanceUntil(() => Publishes == 3, TimeSpan.FromMilliseconds(100), "a publish after the one that hung");
        Assert.False(_run!.IsCompleted);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xUnit 2 never calls DisposeAsync on a test class that only has the latter.
    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null) await _run;
        _stop.Dispose();
    }
}
