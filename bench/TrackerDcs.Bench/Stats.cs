using System.Diagnostics;
using System.Globalization;

namespace TrackerDcs.Bench;

/// <summary>Small helpers the ca and julabo benches share: percentiles, formatting, Stopwatch arithmetic.</summary>
public static class Stats
{
    public static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Nearest-rank percentile (the same definition as the broker bench's).</summary>
    public static double Percentile(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    public static double Ms(long fromTimestamp, long toTimestamp) => (toTimestamp - fromTimestamp) * 1000.0 / Stopwatch.Frequency;

    public static string F(double value, string format = "0.0") => double.IsNaN(value) ? "–" : value.ToString(format, Invariant);

    public static string Ratio(double value) => double.IsNaN(value) || double.IsInfinity(value) ? "–" : value.ToString("0.00", Invariant);

    /// <summary>"p50 / p99 / max" of a sample in milliseconds.</summary>
    public static string Summary(IReadOnlyList<double> ms) =>
        $"n {ms.Count}, min {F(ms.DefaultIfEmpty(double.NaN).Min())}, p50 {F(Percentile(ms, 50))}, p99 {F(Percentile(ms, 99))}, max {F(ms.DefaultIfEmpty(double.NaN).Max())} ms";

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
