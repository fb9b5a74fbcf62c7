using System.Globalization;

namespace TrackerDcs.Bench;

/// <summary>
/// Prints each result as it comes and, at the end, one Markdown table comparing the two brokers per
/// scenario. Ratios read "≥ 1 means TrackerDcs is as good or better": ours/mosquitto for throughput,
/// mosquitto/ours for latency and CPU per message.
/// </summary>
public sealed class Report(string ours, string reference)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private readonly List<ScenarioResult> _results = [];

    public void Add(ScenarioResult result)
    {
        _results.Add(result);
        Console.WriteLine(
            $"  {result.Broker,-10} {result.Scenario.Name} QoS {result.Scenario.QosLevel}: {Rate(result.MessagesPerSecond)} msg/s, " +
            $"p50 {Ms(result.P50Ms)} ms, p99 {Ms(result.P99Ms)} ms, CPU µs/msg broker {Us(result.BrokerCpuMicrosecondsPerMessage)} bench {Us(result.BenchCpuMicrosecondsPerMessage)}, " +
            $"{Delivery(result)} delivered in {result.Elapsed.TotalSeconds.ToString("0.00", Invariant)} s");
    }

    public void PrintTable()
    {
        Console.WriteLine();
        Console.WriteLine($"| Scenario | QoS | {ours} msg/s | {reference} msg/s | ratio | {ours} p50 ms | {reference} p50 ms | ratio | " +
                          $"{ours} p99 ms | {reference} p99 ms | ratio | {ours} CPU µs/msg | {reference} CPU µs/msg | ratio | " +
                          $"delivered {ours} | delivered {reference} |");
        Console.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var group in _results.GroupBy(r => r.Scenario))
        {
            var a = group.FirstOrDefault(r => r.Broker == ours);
            var b = group.FirstOrDefault(r => r.Broker == reference);
            if (a is null || b is null) continue;
            Console.WriteLine(
                $"| {group.Key.Name} | {group.Key.QosLevel} " +
                $"| {Rate(a.MessagesPerSecond)} | {Rate(b.MessagesPerSecond)} | {Ratio(a.MessagesPerSecond, b.MessagesPerSecond)} " +
                $"| {Ms(a.P50Ms)} | {Ms(b.P50Ms)} | {Ratio(b.P50Ms, a.P50Ms)} " +
                $"| {Ms(a.P99Ms)} | {Ms(b.P99Ms)} | {Ratio(b.P99Ms, a.P99Ms)} " +
                $"| {Us(a.BrokerCpuMicrosecondsPerMessage)} | {Us(b.BrokerCpuMicrosecondsPerMessage)} | {Ratio(b.BrokerCpuMicrosecondsPerMessage, a.BrokerCpuMicrosecondsPerMessage)} " +
                $"| {Delivery(a)} | {Delivery(b)} |");
        }
    }

    private static string Rate(double perSecond) => perSecond.ToString("N0", Invariant);
    private static string Ms(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.00", Invariant);
    // /proc counts CPU time in 10 ms steps: over tens of thousands of messages one decimal is what it resolves.
    private static string Us(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.0", Invariant);
    private static string Ratio(double numerator, double denominator) =>
        denominator > 0 && !double.IsNaN(numerator) ? (numerator / denominator).ToString("0.00", Invariant) : "n/a";
    private static string Delivery(ScenarioResult r) =>
        r.Complete ? "all" : $"{r.Delivered.ToString("N0", Invariant)}/{r.Scenario.ExpectedDeliveries.ToString("N0", Invariant)}";
}
