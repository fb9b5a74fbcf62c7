using System.Diagnostics;
using System.Text;

namespace TrackerDcs.Bench;

/// <summary>
/// `-- site`: issue 19's bench. A real 3-node RabbitMQ cluster (<see cref="RabbitMqCluster"/>, as the site tests start
/// it), the site instance (the Release process with Site:Mode=Site, on the last node as in SiteInstanceTests) and a
/// load generator of simulated stands (<see cref="SimulatedStand"/>, spread over the nodes as their uplinks would be),
/// at 10, 25 and 50 stands, added level after level to the same site instance, as a site grows. At each level, after a
/// warm-up, for a fixed time:
/// <list type="bullet">
/// <item>the status latency stand → site page: from a heartbeat's time (set by the stand as it publishes it) to its
/// arrival in the site's read model (the stand's lastHeard, read with GET /api/site/stands every 100 ms, see
/// <see cref="SiteStandsPoller"/>), and to the answer of that GET that first shows it (an upper bound: what a page
/// reading the API every 100 ms would see);</item>
/// <item>the peer: the same heartbeats at a plain MQTT subscriber on the site's node (<see cref="ClusterSubscriber"/>);</item>
/// <item>the site instance's CPU (including the 10 reads a second of the poller), resident memory and managed heap after a
/// full collection (<see cref="ManagedHeap"/>), the cluster's CPU.</item>
/// </list>
/// A first level of no stand (the site instance, its peer and the poller only) is the baseline of CPU and memory.
/// The issue's goal: p99 &lt; 500 ms at 50 stands, and memory that grows linearly with the stand count.
/// </summary>
public static class SiteBench
{
    public sealed record Options(int[] Levels, TimeSpan WarmUp, TimeSpan Measure)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options([10, 25, 50], TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(45));
            for (var i = 0; i < args.Length; i++)
            {
                options = args[i] switch
                {
                    // A check that everything runs: two small levels of 15 s.
                    "--quick" => options with { Levels = [3, 6], WarmUp = TimeSpan.FromSeconds(10), Measure = TimeSpan.FromSeconds(15) },
                    "--seconds" when i + 1 < args.Length && int.TryParse(args[++i], out var s) && s is >= 10 and <= 600 =>
                        options with { Measure = TimeSpan.FromSeconds(s) },
                    "--levels" when i + 1 < args.Length && ParseLevels(args[++i]) is { } levels => options with { Levels = levels },
                    _ => throw new ArgumentException($"unknown or incomplete option '{args[i]}'; usage: site [--quick] [--seconds S (10..600)] [--levels 10,25,50 (increasing, 1..200)]"),
                };
            }
            return options;
        }

        private static int[]? ParseLevels(string text)
        {
            var parts = text.Split(',');
            var levels = new List<int>();
            foreach (var part in parts)
            {
                if (!int.TryParse(part, out var n) || n < 1 || n > 200 || (levels.Count > 0 && n <= levels[^1])) return null;
                levels.Add(n);
            }
            return levels.ToArray();
        }
    }

    private const string SiteUser = "site";
    private const string SitePassword = "bench-site-password";
    // One account for all simulated stands, with a stand's permissions widened to every stand's prefix: 50 accounts
    // would take minutes of rabbitmqctl on a loaded machine, and the permission check on a publish is the same regex either way.
    private const string StandsUser = "bench-stands";
    private const string StandsPassword = "bench-stands-password";

    private sealed record Level(int Stands, double MessagesPerSecond, long Failed, int BeatsSent, List<double> SiteMs, int SiteFallbacks, List<double> ApiMs, List<double> PeerMs,
        double SiteCpuPercent, double ClusterCpuPercent, double BenchCpuPercent, long SiteRssBytes, long SiteHeapBytes, double RequestP50Ms);

    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        Console.WriteLine($"Site bench: {Environment.ProcessorCount} cores, load average {Stats.LoadAverage()}; levels {string.Join(", ", options.Levels)} stands, " +
                          $"{options.WarmUp.TotalSeconds:0} s warm-up and {options.Measure.TotalSeconds:0} s measured each");
        await using var cluster = await RabbitMqCluster.StartAsync(3);
        Console.WriteLine($"RabbitMQ cluster of 3 nodes started in {cluster.StartTime.TotalSeconds:0} s: MQTT {string.Join(", ", cluster.MqttEndpoints)}");
        // The accounts of docs/site.md: the site reads every stand; a stand publishes below site/<stand>/, never a command.
        await cluster.AddUserAsync(SiteUser, SitePassword, write: @"^site\.[^.]+\.[^.]+\.cmd\.", read: @"^site\.");
        await cluster.AddUserAsync(StandsUser, StandsPassword, write: @"^site\.[^.]+\.(?![^.]+\.cmd(\.|$))", read: @"^site\.[^.]+\.[^.]+\.cmd\.");
        var nodes = cluster.Nodes.Select(n => ("127.0.0.1", n.MqttPort)).ToList();

        // The site instance lists the last node first; its peer subscribes there too.
        var siteNode = nodes[^1];
        List<string> settings = ["--Site:Mode=Site", $"--Site:User={SiteUser}", $"--Site:Password={SitePassword}"];
        for (var i = 0; i < nodes.Count; i++)
        {
            var (host, port) = nodes[(i + nodes.Count - 1) % nodes.Count];
            settings.Add($"--Site:Brokers:{i}={host}:{port}");
        }
        await using var site = new TrackerDcsBroker(settings);
        await site.StartAsync(ct);
        Console.WriteLine($"site instance: pid {site.ProcessId}, HTTPS 127.0.0.1:{site.HttpsPort}, {Mib(ResidentBytes(site.ProcessId))} MiB resident after its start");

        await using var peer = new ClusterSubscriber();
        await peer.StartAsync(siteNode, SiteUser, SitePassword, ct);
        await using var poller = new SiteStandsPoller(site);
        poller.Start();

        var stands = new List<SimulatedStand>();
        var levels = new List<Level>();
        try
        {
            foreach (var count in options.Levels.Prepend(0))
            {
                while (stands.Count < count)
                {
                    var i = stands.Count;
                    // Phases spread over the 5 s period (golden ratio steps), so that the stands do not beat in step.
                    var stand = new SimulatedStand($"bench{i + 1:000}", nodes[i % nodes.Count], StandsUser, StandsPassword,
                        TimeSpan.FromSeconds(5 * (i * 0.6180339887 % 1)));
                    stands.Add(stand);
                    await stand.StartAsync(ct);
                }
                await Task.Delay(options.WarmUp, ct);
                if (poller.Stands < count) throw new InvalidOperationException($"after the warm-up the site shows {poller.Stands} stands of {count}");
                levels.Add(await MeasureAsync(count, options.Measure, stands, site, cluster, peer, poller, ct));
                var level = levels[^1];
                Console.WriteLine($"  {count} stands: site {Stats.Summary(level.SiteMs)}; API {Stats.Summary(level.ApiMs)}; peer {Stats.Summary(level.PeerMs)}; " +
                                  $"site CPU {Stats.F(level.SiteCpuPercent)} %, {Mib(level.SiteRssBytes)} MiB resident, managed heap {Stats.F(level.SiteHeapBytes / 1048576.0, "0.0")} MiB; load average {Stats.LoadAverage()}");
            }
        }
        finally
        {
            foreach (var stand in stands) await stand.DisposeAsync();
        }
        Console.WriteLine();
        Console.WriteLine(Table(levels));
        Console.WriteLine($"load average at the end {Stats.LoadAverage()}");
    }

    private static async Task<Level> MeasureAsync(int count, TimeSpan duration, List<SimulatedStand> stands, TrackerDcsBroker site, RabbitMqCluster cluster,
        ClusterSubscriber peer, SiteStandsPoller poller, CancellationToken ct)
    {
        var published = stands.Sum(s => s.Published);
        var failed = stands.Sum(s => s.Failed);
        var siteCpu = site.ProcessorTime;
        var clusterCpu = ClusterCpu(cluster);
        using var self = Process.GetCurrentProcess();
        var benchCpu = self.TotalProcessorTime;
        var requests = poller.RequestMs.Count;
        var from = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await Task.Delay(duration, ct);
        var seconds = clock.Elapsed.TotalSeconds;
        var to = DateTimeOffset.UtcNow;
        var siteCpuPercent = (site.ProcessorTime - siteCpu).TotalSeconds / seconds * 100;
        var clusterCpuPercent = (ClusterCpu(cluster) - clusterCpu) / seconds * 100;
        self.Refresh();
        var benchCpuPercent = (self.TotalProcessorTime - benchCpu).TotalSeconds / seconds * 100;
        var rss = ResidentBytes(site.ProcessId);
        var heap = await ManagedHeap.AfterFullCollectionAsync(site.ProcessId, ct);
        var messages = (stands.Sum(s => s.Published) - published) / seconds;
        // The beats of the window that are late arrive after it: a few more seconds to see them.
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        bool InWindow(DateTimeOffset beat) => beat >= from && beat < to;
        var sent = stands.Sum(s => { lock (s.Beats) return s.Beats.Count(InWindow); });
        var atSite = poller.Beats.Where(b => InWindow(b.Beat)).ToList();
        // Seen later than that, lastHeard may be a later message's: then the answer's arrival, the upper bound, stands in.
        static bool Held((DateTimeOffset Beat, DateTimeOffset Seen, DateTimeOffset LastHeard) b) => b.Seen - b.Beat < SiteStandsPoller.LastHeardHolds;
        return new Level(count, messages, stands.Sum(s => s.Failed) - failed, sent,
            [.. atSite.Select(b => ((Held(b) ? b.LastHeard : b.Seen) - b.Beat).TotalMilliseconds)], atSite.Count(b => !Held(b)),
            [.. atSite.Select(b => (b.Seen - b.Beat).TotalMilliseconds)],
            [.. peer.Beats.Where(b => InWindow(b.Beat)).Select(b => (b.Arrived - b.Beat).TotalMilliseconds)],
            siteCpuPercent, clusterCpuPercent, benchCpuPercent, rss, heap, Stats.Percentile([.. poller.RequestMs.Skip(requests)], 50));
    }

    private static string Table(List<Level> levels)
    {
        var table = new StringBuilder();
        table.AppendLine("| stands | msg/s into the cluster | heartbeats sent / at the site / at the peer | site read model p50 ms | p99 ms | max ms | " +
                         "peer p50 ms | peer p99 ms | p99 site / peer | through the API (100 ms reads) p50 / p99 ms | site CPU % of a core | site resident MiB | " +
                         "MiB per stand over no stand | site managed heap after a full GC MiB | its KiB per stand over no stand | cluster CPU % (3 nodes) | bench CPU % | GET /api/site/stands p50 ms |");
        table.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        var baseRss = levels[0].SiteRssBytes;
        var baseHeap = levels[0].SiteHeapBytes;
        foreach (var l in levels)
        {
            var siteP99 = Stats.Percentile(l.SiteMs, 99);
            var peerP99 = Stats.Percentile(l.PeerMs, 99);
            table.AppendLine($"| {l.Stands} | {Stats.F(l.MessagesPerSecond, "0")}{(l.Failed > 0 ? $" ({l.Failed} failed)" : "")} | {l.BeatsSent} / {l.SiteMs.Count} / {l.PeerMs.Count} " +
                             $"| {Stats.F(Stats.Percentile(l.SiteMs, 50))} | {Stats.F(siteP99)}{(l.SiteFallbacks > 0 ? $" ({l.SiteFallbacks} upper bounds)" : "")} | {Stats.F(l.SiteMs.DefaultIfEmpty(double.NaN).Max())} " +
                             $"| {Stats.F(Stats.Percentile(l.PeerMs, 50))} | {Stats.F(peerP99)} | {Stats.Ratio(siteP99 / peerP99)} " +
                             $"| {Stats.F(Stats.Percentile(l.ApiMs, 50), "0")} / {Stats.F(Stats.Percentile(l.ApiMs, 99), "0")} " +
                             $"| {Stats.F(l.SiteCpuPercent)} | {Mib(l.SiteRssBytes)} | {(l.Stands == 0 ? "–" : Stats.F((l.SiteRssBytes - baseRss) / 1048576.0 / l.Stands, "0.00"))} " +
                             $"| {Stats.F(l.SiteHeapBytes / 1048576.0, "0.0")} | {(l.Stands == 0 ? "–" : Stats.F((l.SiteHeapBytes - baseHeap) / 1024.0 / l.Stands, "0.0"))} " +
                             $"| {Stats.F(l.ClusterCpuPercent)} | {Stats.F(l.BenchCpuPercent)} | {Stats.F(l.RequestP50Ms)} |");
        }
        var last = levels.LastOrDefault();
        if (last is not null)
            table.AppendLine($"\ngoal p99 < 500 ms at {last.Stands} stands: read model {Stats.F(Stats.Percentile(last.SiteMs, 99))} ms, " +
                             $"through the API {Stats.F(Stats.Percentile(last.ApiMs, 99), "0")} ms: {(Stats.Percentile(last.ApiMs, 99) < 500 ? "met" : "NOT met")}");
        if (HeapLine(levels) is { } heap) table.AppendLine(heap);
        return table.ToString();
    }

    /// <summary>
    /// The issue's "memory that grows linearly": a least-squares line through the managed heap at the levels with stands
    /// (its slope is what a stand costs), how far the levels lie from it, and where it meets no stand beside the level of no
    /// stand as measured (which is the first, soon after the start, and may still hold what the start left).
    /// Needs three levels with stands.
    /// </summary>
    private static string? HeapLine(List<Level> levels)
    {
        var points = levels.Where(l => l.Stands > 0).Select(l => (X: (double)l.Stands, Y: l.SiteHeapBytes / 1024.0)).ToList();
        if (points.Count < 3) return null;
        var (meanX, meanY) = (points.Average(p => p.X), points.Average(p => p.Y));
        var slope = points.Sum(p => (p.X - meanX) * (p.Y - meanY)) / points.Sum(p => (p.X - meanX) * (p.X - meanX));
        var intercept = meanY - slope * meanX;
        var residual = points.Max(p => Math.Abs(p.Y - (intercept + slope * p.X)));
        var none = levels.FirstOrDefault(l => l.Stands == 0) is { } empty ? $" (measured: {Stats.F(empty.SiteHeapBytes / 1048576.0, "0.00")} MiB)" : "";
        return $"managed heap: {Stats.F(slope)} KiB a stand (least squares over {points.Count} levels), the line at no stand " +
               $"{Stats.F(intercept / 1024, "0.00")} MiB{none}; largest distance of a level from the line {Stats.F(residual, "0")} KiB";
    }

    /// <summary>CPU seconds the cluster's Erlang VMs have used (utime + stime of each beam, in the kernel's 100 Hz ticks).</summary>
    private static double ClusterCpu(RabbitMqCluster cluster)
    {
        var total = 0.0;
        foreach (var node in cluster.Nodes)
        {
            if (node.BeamPid is not { } pid || !File.Exists($"/proc/{pid}/stat")) continue;
            // After the command's ") ": state is field 3, utime and stime fields 14 and 15.
            var fields = File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].Split(' ');
            total += (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
        }
        return total;
    }

    private static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    private static string Mib(long bytes) => Stats.F(bytes / 1048576.0, "0");
}
