using System.Buffers;
using System.Diagnostics;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.TimeSeriesBench;

/// <summary>
/// The writer fed at a steady rate for a while, its memory sampled every 10 s: the process's working set and the
/// GC's heap (after the last GC, so without collecting). Reports start, end, max and the least-squares slope.
/// </summary>
public sealed class Memory(string url, Workload workload, TimeSeriesOptions options)
{
    public async Task RunAsync(TimeSpan duration, int ratePerSecond)
    {
        options.Influx = new InfluxOptions { Api = InfluxApi.V1, Url = url, Database = "bench_memory", Gzip = options.Influx.Gzip, Timeout = options.Influx.Timeout };
        // Real time: at the bench's rates each channel publishes every few ms at most, so every point keeps its own millisecond.
        await using var pipeline = new Pipeline(options, TimeProvider.System);
        await pipeline.StartAsync();
        var samples = new List<(double Minutes, double WorkingSetMiB, double HeapMiB, long Acknowledged)>();
        using var process = Process.GetCurrentProcess();
        var watch = Stopwatch.StartNew();
        long sent = 0;
        var nextSample = TimeSpan.Zero;
        // Every 10 ms, the messages due by then: a steady rate without a thread per message.
        while (watch.Elapsed < duration)
        {
            var due = (long)(watch.Elapsed.TotalSeconds * ratePerSecond);
            for (; sent < due; sent++)
                pipeline.Tap.Raise("dcs/channels", new ReadOnlySequence<byte>(workload.Payloads[sent % workload.Count]));
            if (watch.Elapsed >= nextSample)
            {
                process.Refresh();
                var sample = (watch.Elapsed.TotalMinutes, process.WorkingSet64 / 1048576.0, GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, pipeline.Sink.Acknowledged);
                samples.Add(sample);
                Console.WriteLine($"{sample.TotalMinutes,6:F2} min: working set {sample.Item2,6:F1} MiB, GC heap {sample.Item3,6:F1} MiB, sent {sent}, acknowledged {sample.Acknowledged}, load {Throughput.LoadAverage()}");
                nextSample += TimeSpan.FromSeconds(10);
            }
            await Task.Delay(10);
        }
        Console.WriteLine($"sent {sent} messages in {watch.Elapsed.TotalMinutes:F1} min ({sent / watch.Elapsed.TotalSeconds:F0}/s); acknowledged {pipeline.Sink.Acknowledged} by then");
        Report("working set", samples.Select(s => (s.Minutes, s.WorkingSetMiB)).ToList());
        Report("GC heap", samples.Select(s => (s.Minutes, s.HeapMiB)).ToList());
        Console.WriteLine($"GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
    }

    private static void Report(string what, List<(double Minutes, double MiB)> samples)
    {
        var (mx, my) = (samples.Average(s => s.Minutes), samples.Average(s => s.MiB));
        var slope = samples.Sum(s => (s.Minutes - mx) * (s.MiB - my)) / samples.Sum(s => (s.Minutes - mx) * (s.Minutes - mx));
        // Without the first minute: start-up (JIT, pools, the GC finding its budget) is not a leak.
        var settled = samples.Where(s => s.Minutes >= 1).ToList();
        var (sx, sy) = (settled.Average(s => s.Minutes), settled.Average(s => s.MiB));
        var settledSlope = settled.Sum(s => (s.Minutes - sx) * (s.MiB - sy)) / settled.Sum(s => (s.Minutes - sx) * (s.Minutes - sx));
        Console.WriteLine($"{what}: start {samples[0].MiB:F1} MiB, end {samples[^1].MiB:F1} MiB, max {samples.Max(s => s.MiB):F1} MiB, " +
            $"slope {slope:F2} MiB/min over all {samples.Count} samples, {settledSlope:F2} MiB/min after the first minute");
    }
}
