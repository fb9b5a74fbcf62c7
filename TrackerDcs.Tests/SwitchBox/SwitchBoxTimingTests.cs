using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware.Common;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Tests.ChannelAccess;
using TrackerDcs.Tests.Julabo;

namespace TrackerDcs.Tests.SwitchBox;

/// <summary>
/// The poll period and the reconnect back-off, on a fake clock: the test sees each wait the device asks the
/// clock for and moves time on by exactly that, so nothing depends on how fast the machine is.
/// </summary>
public class SwitchBoxTimingTests
{
    /// <summary>A fake clock that records the due time of every timer made on it (Task.Delay, a time-out's CancellationTokenSource).</summary>
    private sealed class WatchedClock : FakeTimeProvider
    {
        public ConcurrentQueue<TimeSpan> Timers { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Timers.Enqueue(dueTime);
            return base.CreateTimer(callback, state, dueTime, period);
        }

        /// <summary>Waits until the device has asked for a wait of <paramref name="due"/> (the n-th such), then lets it pass.</summary>
        public async Task PassWait(TimeSpan due, int nth)
        {
            await Eventually.True(() => Timers.Count(t => t == due) >= nth, $"wait #{nth} of {due.TotalMilliseconds} ms (waits so far: {string.Join(", ", Timers.Select(t => t.TotalMilliseconds))})");
            Advance(due);
        }
    }

    [Fact]
    public async Task The_box_is_asked_for_its_status_once_per_poll_period()
    {
        var clock = new WatchedClock();
        await using var box = new SwitchBoxSimulator();
        var settings = new SwitchBoxSettings($"127.0.0.1:{box.ListenTcp()}") { PollPeriod = TimeSpan.FromSeconds(2), ReplyTimeout = TimeSpan.FromSeconds(1) };
        await using var device = new SwitchBoxDevice(settings, clock);
        using var stop = new CancellationTokenSource();
        var run = device.RunAsync(stop.Token);

        await Eventually.True(() => box.QueriesReceived == 1, "the first poll at connect");
        for (var poll = 2; poll <= 4; poll++)
        {
            await clock.PassWait(settings.PollPeriod, poll - 1);
            await Eventually.True(() => box.QueriesReceived == poll, $"poll {poll} after {poll - 1} poll periods");
        }
        Assert.Equal(SwitchBoxState.LvOff, device.Snapshot.State);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_link_that_closes_is_noticed_at_once_not_at_the_next_poll()
    {
        var clock = new WatchedClock(); // a poll period that never passes
        await using var box = new SwitchBoxSimulator();
        await using var device = new SwitchBoxDevice(new SwitchBoxSettings($"127.0.0.1:{box.ListenTcp()}"), clock);
        using var stop = new CancellationTokenSource();
        var run = device.RunAsync(stop.Token);
        await Eventually.True(() => device.Snapshot.State == SwitchBoxState.LvOff, "LV_OFF");

        box.Unplug();
        await Eventually.True(() => device.Snapshot.State == SwitchBoxState.Disconnected, "DISCONNECTED with no poll due");
        Assert.Contains("the peer closed the link", device.Snapshot.LastError);
        Assert.Equal(1, box.QueriesReceived);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Reconnect_attempts_back_off_doubling_up_to_the_maximum_and_start_again_after_the_box_answered()
    {
        var clock = new WatchedClock();
        var logger = new ListLogger<SwitchBoxDevice>();
        var attempts = 0;
        await using var box = new SwitchBoxSimulator();
        var port = box.ListenTcp();
        var reachable = false;
        var settings = new SwitchBoxSettings("/dev/ttyUSB-switchbox")
        {
            ReconnectDelayMin = TimeSpan.FromSeconds(1),
            ReconnectDelayMax = TimeSpan.FromSeconds(5),
        };
        // A USB adapter that is not plugged in, until the test plugs it in (then a TCP link to the simulator).
        ITransport Transport()
        {
            Interlocked.Increment(ref attempts);
            return Volatile.Read(ref reachable) ? new TcpTransport("127.0.0.1", port) : new SerialTransport("/nonexistent/ttyUSB-switchbox", settings.Serial);
        }
        await using var device = new SwitchBoxDevice(settings, clock, logger, Transport);
        using var stop = new CancellationTokenSource();
        var run = device.RunAsync(stop.Token);

        var seconds = new[] { 1, 2, 4, 5, 5 };
        for (var i = 0; i < seconds.Length; i++)
        {
            var delay = TimeSpan.FromSeconds(seconds[i]);
            await clock.PassWait(delay, seconds.Take(i + 1).Count(s => s == seconds[i]));
            await Eventually.True(() => Volatile.Read(ref attempts) == i + 2, $"attempt {i + 2} after {seconds[i]} s");
        }
        Assert.Equal(SwitchBoxState.Disconnected, device.Snapshot.State);
        Assert.Contains("/nonexistent/ttyUSB-switchbox", device.Snapshot.LastError);
        Assert.Equal(["reconnecting in 1000 ms", "reconnecting in 2000 ms", "reconnecting in 4000 ms", "reconnecting in 5000 ms", "reconnecting in 5000 ms"],
            logger.Entries.Select(e => e.Text).Where(t => t.StartsWith("Switch box: reconnecting", StringComparison.Ordinal)).Select(t => t["Switch box: ".Length..]).Take(5));

        // The box answers at the next attempt; when it is lost again, the back-off starts at the minimum.
        Volatile.Write(ref reachable, true);
        await clock.PassWait(TimeSpan.FromSeconds(5), 3);
        await Eventually.True(() => device.Snapshot.State == SwitchBoxState.LvOff, "LV_OFF once the box is reachable");
        box.Unplug();
        await Eventually.True(() => device.Snapshot.State == SwitchBoxState.Disconnected, "DISCONNECTED when the cable is pulled");
        await Eventually.True(() => logger.Entries.Count(e => e.Text == "Switch box: reconnecting in 1000 ms") == 2, "the back-off back at 1000 ms");
        await stop.CancelAsync();
        await run;
    }
}
