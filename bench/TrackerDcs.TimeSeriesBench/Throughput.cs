using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.TimeSeriesBench;

/// <summary>
/// Round after round, the same points (A) posted straight to /write and (B) through the writer, each into its own
/// fresh database, alternating which goes first. Both are timed from the first point handed over to the server's
/// acknowledgement of the last, with the same batch size, line protocol, precision, compression and writes in flight.
/// </summary>
public sealed class Throughput(string url, Workload workload, TimeSeriesOptions options)
{
    /// <summary>Rates, and CPU time per point of the bench process (the writer lives in it) and of influxd.</summary>
    public sealed record Round(int Index, double DirectPerSecond, double WriterPerSecond, Cpu Direct, Cpu Writer, long JitMethods, TimeSpan JitTime)
    {
        public double Ratio => WriterPerSecond / DirectPerSecond;

        public override string ToString() =>
            $"direct {DirectPerSecond:F0} points/s, writer {WriterPerSecond:F0} points/s, writer/direct {Ratio:P0}; " +
            $"CPU µs/point bench+influxd: direct {Direct.BenchMicroseconds:F1}+{Direct.InfluxdMicroseconds:F1}, writer {Writer.BenchMicroseconds:F1}+{Writer.InfluxdMicroseconds:F1}; " +
            $"JIT {JitMethods} methods in {JitTime.TotalMilliseconds:F0} ms; load {LoadAverage()}";
    }

    public readonly record struct Cpu(double BenchMicroseconds, double InfluxdMicroseconds);

    // Yesterday, as the writer's clock: the same shard group for both paths.
    private readonly long _start = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();

    /// <summary>
    /// <paramref name="warmUp"/> uncounted rounds of <paramref name="warmUpWorkload"/> first. Each round sets up a
    /// writer and two databases again, so code that runs once a round (set-up, verification, tear-down) is called only
    /// a few times: after three warm-up rounds of 200 000 points, the JIT still compiled 100-300 methods in every
    /// counted round (tier 0 to instrumented to optimized, on its background thread, in the bench's CPU). Forty rounds
    /// of 20 000 points take every such method past its 30 calls and the hot path through 800 000 points; the counted
    /// rounds then see a few methods compiled (printed per round). A stand that runs for days is in that state.
    /// </summary>
    public async Task<List<Round>> RunAsync(int rounds, int warmUp, Workload warmUpWorkload)
    {
        var batches = Pipeline.BatchesOf(workload, options, _start);
        var warmUpBatches = Pipeline.BatchesOf(warmUpWorkload, options, _start);
        var results = new List<Round>();
        for (var round = 1 - warmUp; round <= rounds; round++)
        {
            var result = round <= 0 ? await RoundAsync(round + warmUp, warmUpWorkload, warmUpBatches) : await RoundAsync(round + warmUp, workload, batches);
            // The last warm-up rounds are shown: with the JIT done, they look like the counted ones.
            if (round <= 0 && round > -3) Console.WriteLine($"warm-up round {round + warmUp} of {warmUp} ({warmUpWorkload.Count} points): {result}");
            if (round <= 0) continue;
            Console.WriteLine($"round {round}: {result}");
            results.Add(result);
        }
        return results;
    }

    private async Task<Round> RoundAsync(int index, Workload points, List<LineBatch> batches)
    {
        double direct = 0, writer = 0;
        Cpu directCpu = default, writerCpu = default;
        var (jitMethods, jitTime) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        foreach (var path in index % 2 == 0 ? new[] { "direct", "writer" } : ["writer", "direct"])
        {
            var database = $"bench_{path}_{index}";
            var (bench, influxd) = (CpuSeconds(), InfluxdCpuSeconds());
            var elapsed = path == "direct" ? await DirectAsync(database, batches) : await WriterAsync(database, points);
            var cpu = new Cpu((CpuSeconds() - bench) * 1e6 / points.Count, (InfluxdCpuSeconds() - influxd) * 1e6 / points.Count);
            await VerifyAsync(database, points);
            if (path == "direct") (direct, directCpu) = (points.Count / elapsed.TotalSeconds, cpu);
            else (writer, writerCpu) = (points.Count / elapsed.TotalSeconds, cpu);
            await QueryAsync($"DROP DATABASE \"{database}\"");
        }
        return new Round(index, direct, writer, directCpu, writerCpu,
            System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods, System.Runtime.JitInfo.GetCompilationTime() - jitTime);
    }

    private InfluxOptions Influx(string database) => new()
    {
        Api = InfluxApi.V1, Url = url, Database = database, Gzip = options.Influx.Gzip, Timeout = options.Influx.Timeout,
    };

    private async Task<TimeSpan> DirectAsync(string database, List<LineBatch> batches)
    {
        using var sink = new InfluxV1Sink(Influx(database));
        await QueryAsync($"CREATE DATABASE \"{database}\"");
        var inFlight = new Queue<Task<WriteOutcome>>();
        var watch = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            if (inFlight.Count >= options.MaxWritesInFlight) Check(await inFlight.Dequeue());
            inFlight.Enqueue(sink.WriteAsync(batch, CancellationToken.None));
        }
        while (inFlight.Count > 0) Check(await inFlight.Dequeue());
        return watch.Elapsed;
    }

    private static void Check(WriteOutcome outcome)
    {
        if (outcome.Result != WriteResult.Written) throw new InvalidOperationException($"direct write: {outcome.Reason}");
    }

    private async Task<TimeSpan> WriterAsync(string database, Workload points)
    {
        options.Influx = Influx(database);
        var clock = new MessageClock(_start, points.Channels);
        await using var pipeline = new Pipeline(options, clock);
        await QueryAsync($"CREATE DATABASE \"{database}\"");
        await pipeline.StartAsync();
        var done = pipeline.Sink.WhenAcknowledged(points.Count);
        var watch = Stopwatch.StartNew();
        foreach (var payload in points.Payloads) pipeline.Tap.Raise("dcs/channels", new ReadOnlySequence<byte>(payload));
        await done.WaitAsync(TimeSpan.FromMinutes(5));
        return watch.Elapsed;
    }

    /// <summary>After the clock stopped: InfluxDB holds every point (nothing lost, nothing overwritten).</summary>
    private async Task VerifyAsync(string database, Workload points)
    {
        var body = await QueryAsync("SELECT count(\"lv_vMon\") FROM \"channels\"", database);
        using var json = JsonDocument.Parse(body);
        var count = json.RootElement.GetProperty("results")[0].TryGetProperty("series", out var series) ? series[0].GetProperty("values")[0][1].GetInt64() : 0;
        if (count != points.Count) throw new InvalidOperationException($"{database} holds {count} points, {points.Count} were sent");
    }

    private async Task<string> QueryAsync(string query, string? database = null)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{url}/query{(database is null ? "" : $"?db={database}")}",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["q"] = query }));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{query}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static double CpuSeconds() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>utime + stime of influxd from /proc (run-timeseries.sh passes its pid), in seconds; NaN without it.</summary>
    private static double InfluxdCpuSeconds()
    {
        if (Environment.GetEnvironmentVariable("INFLUXD_PID") is not { } pid || !File.Exists($"/proc/{pid}/stat")) return double.NaN;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 of proc(5), counted from the state field (3): clock ticks, 100 per second on Linux.
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
