// Points per second through the time-series writer (broker tap → mapping → store → shipper → InfluxDB v1) against
// the same line protocol posted straight to the same server in the same run, interleaved round by round; or, with
// --memory, the writer's memory over a steady run.
//   dotnet run -c Release --project bench/TrackerDcs.TimeSeriesBench -- <influx url> [messages] [--rounds N] [--warm-up N] [--warm-up-points N] [--in-flight N] [--gzip]
//   dotnet run -c Release --project bench/TrackerDcs.TimeSeriesBench -- <influx url> --memory <minutes> [--rate points/s]
using TrackerDcs.TimeSeriesBench;
using TrackerDcs.Web.TimeSeries;

var url = args.ElementAtOrDefault(0) ?? "http://127.0.0.1:8086";
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var positional = args.Skip(1).TakeWhile(a => !a.StartsWith("--")).ToList();
var messages = int.Parse(positional.FirstOrDefault() ?? "200000");
var options = new TimeSeriesOptions { QueueCapacity = 1_000_000 };
if (Option("--in-flight") is { } inFlight) options.MaxWritesInFlight = int.Parse(inFlight);
options.Influx.Gzip = args.Contains("--gzip");
Console.WriteLine($"batch {options.BatchSize} lines, {options.MaxWritesInFlight} write(s) in flight, gzip {(options.Influx.Gzip ? "on" : "off")}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, load {Throughput.LoadAverage()}");

if (Option("--memory") is { } minutes)
{
    var rate = int.Parse(Option("--rate") ?? "10000");
    await new Memory(url, new Workload(10_000), options).RunAsync(TimeSpan.FromMinutes(double.Parse(minutes, System.Globalization.CultureInfo.InvariantCulture)), rate);
    return;
}

var rounds = await new Throughput(url, new Workload(messages), options).RunAsync(
    int.Parse(Option("--rounds") ?? "5"), int.Parse(Option("--warm-up") ?? "40"), new Workload(int.Parse(Option("--warm-up-points") ?? "20000")));
double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
var (direct, writer) = (Median(rounds.Select(r => r.DirectPerSecond)), Median(rounds.Select(r => r.WriterPerSecond)));
Console.WriteLine($"median of {rounds.Count} rounds, {messages} points each: direct {direct:F0} points/s, writer {writer:F0} points/s, " +
    $"ratio of the medians {writer / direct:P0}, median of the rounds' ratios {Median(rounds.Select(r => r.Ratio)):P0}");
Console.WriteLine($"median CPU µs/point, bench process + influxd: direct {Median(rounds.Select(r => r.Direct.BenchMicroseconds)):F1} + {Median(rounds.Select(r => r.Direct.InfluxdMicroseconds)):F1}, " +
    $"writer {Median(rounds.Select(r => r.Writer.BenchMicroseconds)):F1} + {Median(rounds.Select(r => r.Writer.InfluxdMicroseconds)):F1}");
