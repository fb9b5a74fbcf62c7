using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;

namespace TrackerDcs.Bench;

/// <summary>
/// Collects the latency of every delivery, one preallocated slot array per subscriber, so that recording
/// costs no allocation and no lock on the subscribers' receive paths (which would slow both brokers alike
/// but blur the comparison).
/// </summary>
public sealed class LatencyRecorder(int subscribers, int messagesPerSubscriber)
{
    private readonly long[][] _ticks = Enumerable.Range(0, subscribers).Select(_ => new long[messagesPerSubscriber]).ToArray();
    private readonly int[] _counts = new int[subscribers];
    private long _lastDelivery;

    /// <summary>Stopwatch ticks of the most recent delivery at any subscriber.</summary>
    public long LastDelivery => Interlocked.Read(ref _lastDelivery);

    public int Delivered
    {
        get
        {
            var total = 0;
            for (var i = 0; i < _counts.Length; i++) total += Math.Min(Volatile.Read(ref _counts[i]), messagesPerSubscriber);
            return total;
        }
    }

    /// <summary>The payload starts with the publisher's Stopwatch timestamp (same process, same clock).</summary>
    public void Record(int subscriber, ReadOnlySequence<byte> payload)
    {
        var now = Stopwatch.GetTimestamp();
        Span<byte> stamp = stackalloc byte[sizeof(long)];
        payload.Slice(0, sizeof(long)).CopyTo(stamp);
        var slot = Interlocked.Increment(ref _counts[subscriber]) - 1;
        // A duplicate (a QoS 1 redelivery) beyond the expected count is not a new delivery.
        if (slot < messagesPerSubscriber) _ticks[subscriber][slot] = now - BinaryPrimitives.ReadInt64LittleEndian(stamp);
        InterlockedMax(ref _lastDelivery, now);
    }

    /// <summary>
    /// Waits until every expected delivery arrived, none arrived for <paramref name="idle"/>, or
    /// <paramref name="limit"/> passed since <paramref name="startedAt"/> (a trickle must not hold the run).
    /// </summary>
    public async Task WaitForAsync(int expected, long startedAt, TimeSpan idle, TimeSpan limit, CancellationToken cancellationToken)
    {
        var seen = -1;
        var progressAt = Stopwatch.GetTimestamp();
        while (true)
        {
            var delivered = Delivered;
            if (delivered >= expected || Stopwatch.GetElapsedTime(startedAt) > limit) return;
            if (delivered != seen)
            {
                seen = delivered;
                progressAt = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(progressAt) > idle)
            {
                return;
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Latency percentile in milliseconds over all recorded deliveries.</summary>
    public double[] PercentilesMs(params double[] percentiles)
    {
        var all = new List<long>(Delivered);
        for (var i = 0; i < _ticks.Length; i++) all.AddRange(_ticks[i].AsSpan(0, Math.Min(_counts[i], messagesPerSubscriber)));
        if (all.Count == 0) return percentiles.Select(_ => double.NaN).ToArray();
        all.Sort();
        return percentiles
            .Select(p => all[Math.Min(all.Count - 1, (int)Math.Ceiling(p / 100 * all.Count) - 1)] * 1000.0 / Stopwatch.Frequency)
            .ToArray();
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
