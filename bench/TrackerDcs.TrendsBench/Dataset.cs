using System.Text;
using TrackerDcs.Web.TimeSeries;
using TrackerDcs.Web.Trends;
using TrackerDcs.Web.History;

namespace TrackerDcs.TrendsBench;

/// <summary>
/// The bench's history: 8 signals (<c>bench.v[id=0…7]</c>) at 1 Hz for 30 days ending now, about 20 million readings:
/// slow drifts with readout noise, at a CAEN readout's resolution (0.01), identical for both stores.
/// </summary>
public sealed class Dataset(int days, int signals)
{
    public const string Measurement = "bench";
    public DateTimeOffset End { get; } = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    public DateTimeOffset Start => End.AddDays(-days);
    public long Count => (long)days * 86_400 * signals;
    public IReadOnlyList<string> Signals { get; } = [.. Enumerable.Range(0, signals).Select(i => new SignalId(Measurement, "v", [new("id", i.ToString())]).Key)];

    /// <summary>One hour of readings at a time, in time order.</summary>
    public IEnumerable<(long HourMs, List<(int Signal, long TimeMs, double Value)> Readings)> Hours()
    {
        var random = new Random(30);
        var level = new double[signals];
        var readings = new List<(int, long, double)>(3600 * signals);
        for (var hour = Start.ToUnixTimeMilliseconds(); hour < End.ToUnixTimeMilliseconds(); hour += 3_600_000)
        {
            readings.Clear();
            for (var t = hour; t < hour + 3_600_000 && t < End.ToUnixTimeMilliseconds(); t += 1000)
                for (var s = 0; s < signals; s++)
                {
                    level[s] += (random.NextDouble() - 0.5) * 0.02 - level[s] * 1e-4;
                    readings.Add((s, t, Math.Round(10 * (s + 1) + level[s] + (random.NextDouble() - 0.5) * 0.05, 2)));
                }
            yield return (hour, readings);
        }
    }

    public static List<TimePoint> Points(List<(int Signal, long TimeMs, double Value)> readings) =>
        [.. readings.Select(r => new TimePoint(Measurement, [new("id", r.Signal.ToString())], [new("v", r.Value)], r.TimeMs))];

    public static string Lines(List<(int Signal, long TimeMs, double Value)> readings)
    {
        var text = new StringBuilder(readings.Count * 32);
        foreach (var (s, t, v) in readings) text.Append(Measurement).Append(",id=").Append(s).Append(" v=").Append(v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(' ').Append(t).Append('\n');
        return text.ToString();
    }
}
