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
            $"{(result.Complete ? "all" : $"{result.Delivered:N0}/{result.Scenario.ExpectedDeliveries:N0}")} delivered in {result.Elapsed.TotalSeconds.ToString("0.00", Invariant)} s");
    }

    /// <summary>
    /// One row per scenario. With several rounds each figure is the median over the rounds, each ratio the median
    /// of the rounds' own ratios (both brokers of a round ran back to back, under the same background load), and
    /// the last column lists every round's msg/s ratio, so the spread is in view.
    /// </summary>
    public void PrintTable()
    {
        Console.WriteLine();
        Console.WriteLine($"| Scenario | QoS | {ours} msg/s | {reference} msg/s | ratio | {ours} p50 ms | {reference} p50 ms | ratio | " +
                          $"{ours} p99 ms | {reference} p99 ms | ratio | {ours} CPU µs/msg | {reference} CPU µs/msg | ratio | " +
                          $"delivered {ours} | delivered {reference} | msg/s ratio per round |");
        Console.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        foreach (var group in _results.GroupBy(r => r.Scenario))
        {
            var a = group.Where(r => r.Broker == ours).ToList();
            var b = group.Where(r => r.Broker == reference).ToList();
            var rounds = a.Zip(b).ToList();
            if (rounds.Count == 0) continue;
            double Median(Func<ScenarioResult, double> figure, List<ScenarioResult> results) => MedianOf(results.Select(figure));
            double RatioMedian(Func<ScenarioResult, double> figure, bool higherIsBetter) =>
                MedianOf(rounds.Select(r => higherIsBetter ? figure(r.First) / figure(r.Second) : figure(r.Second) / figure(r.First)));
            Console.WriteLine(
                $"| {group.Key.Name} | {group.Key.QosLevel} " +
                $"| {Rate(Median(r => r.MessagesPerSecond, a))} | {Rate(Median(r => r.MessagesPerSecond, b))} | {Ratio(RatioMedian(r => r.MessagesPerSecond, true))} " +
                $"| {Ms(Median(r => r.P50Ms, a))} | {Ms(Median(r => r.P50Ms, b))} | {Ratio(RatioMedian(r => r.P50Ms, false))} " +
                $"| {Ms(Median(r => r.P99Ms, a))} | {Ms(Median(r => r.P99Ms, b))} | {Ratio(RatioMedian(r => r.P99Ms, false))} " +
                $"| {Us(Median(r => r.BrokerCpuMicrosecondsPerMessage, a))} | {Us(Median(r => r.BrokerCpuMicrosecondsPerMessage, b))} | {Ratio(RatioMedian(r => r.BrokerCpuMicrosecondsPerMessage, false))} " +
                $"| {Delivery(a)} | {Delivery(b)} " +
                $"| {string.Join(", ", rounds.Select(r => Ratio(r.First.MessagesPerSecond / r.Second.MessagesPerSecond)))} |");
        }
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).Order().ToList();
        if (sorted.Count == 0) return double.NaN;
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Rate(double perSecond) => perSecond.ToString("N0", Invariant);
    private static string Ms(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.00", Invariant);
    // /proc counts CPU time in 10 ms steps: over tens of thousands of messages one decimal is what it resolves.
    private static string Us(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.0", Invariant);
    private static string Ratio(double ratio) => double.IsNaN(ratio) || double.IsInfinity(ratio) ? "n/a" : ratio.ToString("0.00", Invariant);

    /// <summary>"all" when every round delivered everything, else each round's count.</summary>
    private static string Delivery(List<ScenarioResult> results) =>
        results.All(r => r.Complete)
            ? "all"
            : string.Join(", ", results.Select(r => $"{r.Delivered.ToString("N0", Invariant)}/{r.Scenario.ExpectedDeliveries.ToString("N0", Invariant)}"));
}
