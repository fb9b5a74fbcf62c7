// Points per second through the time-series writer (broker tap → mapping → spool → shipper → InfluxDB v1)
// against the same line protocol posted straight to the same server in the same run: the server's own
// ingest rate is the ceiling.   Usage: dotnet run -c Release --project bench/TrackerDcs.TimeSeriesBench -- <influx url> [messages]
using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.TimeSeries;

var url = args.ElementAtOrDefault(0) ?? "http://127.0.0.1:8086";
var messages = int.Parse(args.ElementAtOrDefault(1) ?? "200000");
const int Channels = 100;
var start = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();

// One dcs/channels message per channel and millisecond, as the crate publishes them.
string Payload(int i) => JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["id"] = (i % Channels).ToString(), ["module"] = $"module_{i % Channels}", ["lv_board"] = i % Channels / 8, ["lv_channel"] = i % 8,
    ["hv_board"] = 12 + i % Channels / 12, ["hv_channel"] = i % 12, ["lv_vMon"] = 12 + i % 1000 * 1e-3, ["lv_iMon"] = 1.5, ["lv_status"] = 1,
    ["hv_vMon"] = 200 - i % 100 * 1e-2, ["hv_iMon"] = 0.35, ["hv_status"] = 1, ["fsm_state"] = "HV_ON",
});
var payloads = Enumerable.Range(0, messages).Select(i => Encoding.UTF8.GetBytes(Payload(i))).ToArray();
long Time(int i) => start + i / Channels;

// The ceiling: the same points as line protocol, posted directly with the same batch size and gzip.
var mapper = new PointMapper(MappingRule.Defaults);
var lines = new List<string>(messages);
var mapping = Stopwatch.StartNew();
// Twice: the first pass includes the JIT's warm-up, the second is what a running process sees.
for (var pass = 0; pass < 2; pass++)
{
    lines.Clear();
    mapping.Restart();
    for (var i = 0; i < messages; i++)
    {
        var points = new List<TimePoint>();
        mapper.Map("dcs/channels", payloads[i], Time(i), points, []);
        lines.Add(points.Single().ToLineProtocol());
    }
}
Report("mapping alone (JSON to line protocol, one core)", mapping.Elapsed);
var options = new TimeSeriesOptions { Influx = new InfluxOptions { Api = InfluxApi.V1, Url = url, Database = "bench_direct" }, QueueCapacity = messages };
using (var direct = new InfluxV1Sink(options.Influx))
{
    await direct.WriteAsync([lines[0]], CancellationToken.None); // creates the database
    var watch = Stopwatch.StartNew();
    foreach (var batch in lines.Chunk(options.BatchSize))
    {
        var outcome = await direct.WriteAsync(batch, CancellationToken.None);
        if (outcome.Result != WriteResult.Written) throw new InvalidOperationException(outcome.Reason);
    }
    Report("direct line protocol", watch.Elapsed);
}

// Through the writer, fed at the broker tap; the clock hands out each message's millisecond.
options.Influx.Database = "bench_writer";
var directory = Directory.CreateTempSubdirectory("trackerdcs-bench-").FullName;
var clock = new MessageClock(start, Channels);
var tap = new BrokerTap();
using var spool = new Spool(directory, 4L << 30);
using var sink = new InfluxV1Sink(options.Influx);
var shipper = new InfluxShipper(spool, sink, new DeadLetters(Path.Combine(directory, "dead.txt"), TimeProvider.System), options, TimeProvider.System, NullLogger<InfluxShipper>.Instance);
var store = new SpoolStore(spool, shipper, options.SpoolMaxBytes, NullLogger<SpoolStore>.Instance);
var writer = new TimeSeriesWriter(tap, store, options, clock, NullLogger<TimeSeriesWriter>.Instance);
await shipper.StartAsync(CancellationToken.None);
await writer.StartAsync(CancellationToken.None);
await sink.WriteAsync([lines[0]], CancellationToken.None);
var total = Stopwatch.StartNew();
foreach (var payload in payloads) tap.Raise("dcs/channels", new ReadOnlySequence<byte>(payload));
// InfluxDB is asked only once the spool is drained: a count query is work for the server it measures.
while (!spool.IsEmpty || await CountAsync("bench_writer") < messages) await Task.Delay(20);
Report("through the writer", total.Elapsed);
await writer.StopAsync(CancellationToken.None);
await shipper.StopAsync(CancellationToken.None);
Directory.Delete(directory, recursive: true);
Console.WriteLine($"managed heap after the run: {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:F0} MiB");

void Report(string what, TimeSpan elapsed) =>
    Console.WriteLine($"{what}: {messages} points in {elapsed.TotalSeconds:F2} s = {messages / elapsed.TotalSeconds:F0} points/s");

async Task<long> CountAsync(string database)
{
    using var http = new HttpClient();
    var body = await http.GetStringAsync($"{url}/query?db={database}&q={Uri.EscapeDataString("SELECT count(\"lv_vMon\") FROM \"channels\"")}");
    using var json = JsonDocument.Parse(body);
    return json.RootElement.GetProperty("results")[0].TryGetProperty("series", out var series) ? series[0].GetProperty("values")[0][1].GetInt64() : 0;
}

/// <summary>Every message its own millisecond per channel, so no point overwrites another: the tap asks once per message.</summary>
sealed class MessageClock(long startMs, int channels) : TimeProvider
{
    private long _calls;
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(startMs + Interlocked.Increment(ref _calls) / channels);
}
