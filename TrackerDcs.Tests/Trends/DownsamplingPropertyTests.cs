using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;
using TrackerDcs.Web.Trends;
using Xunit.Abstractions;
using TrackerDcs.Web.History;

namespace TrackerDcs.Tests.Trends;

/// <summary>
/// Downsampling keeps the extremes exactly, on random series: the M4 columns a chart gets, the rollup blobs of the
/// embedded store, and a chart's columns read from the rollups. Each test prints its seed; TRACKERDCS_SEED replays one.
/// </summary>
public sealed class DownsamplingPropertyTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-downsampling-").FullName;

    private Random Seeded(out int seed)
    {
        seed = int.TryParse(Environment.GetEnvironmentVariable("TRACKERDCS_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"seed {seed} (TRACKERDCS_SEED={seed} replays it)");
        return new Random(seed);
    }

    /// <summary>A random reading: decimal numbers of a few digits, arbitrary doubles, steps and spikes.</summary>
    private static double Value(Random random, int kind, double previous) => kind switch
    {
        0 => Math.Round(previous + random.NextDouble() - 0.5, 3),
        1 => random.NextDouble() * Math.Pow(10, random.Next(-8, 9)) * (random.Next(2) == 0 ? -1 : 1),
        2 => random.Next(100) == 0 ? random.NextDouble() * 1e6 : Math.Round(previous, 1),
        _ => random.Next(3),
    };

    private static List<(long Time, double Value)> Series(Random random, long start, int count, int maxStepMs)
    {
        var kind = random.Next(4);
        var points = new List<(long, double)>(count);
        var (time, value) = (start, 0.0);
        for (var i = 0; i < count; i++)
        {
            time += 1 + random.Next(maxStepMs);
            value = Value(random, kind, value);
            points.Add((time, value));
        }
        return points;
    }

    [Fact]
    public void M4_columns_keep_first_min_max_and_last_of_every_column_exactly()
    {
        var random = Seeded(out var seed);
        for (var round = 0; round < 200; round++)
        {
            var points = Series(random, 1_000_000, random.Next(1, 5000), random.Next(1, 5000));
            var (from, to) = (points[0].Time - random.Next(1000), points[^1].Time + 1 + random.Next(1000));
            var width = random.Next(1, 2000);
            var decimator = new M4Decimator(from, to, width, long.MaxValue / 8);
            foreach (var (t, v) in points) decimator.Add(t, v);
            var result = decimator.Finish();

            Assert.True(result.Times.Count <= 4 * width, $"seed {seed}, round {round}: {result.Times.Count} points for {width} columns");
            var bucket = result.BucketMs;
            var expected = points.GroupBy(p => (p.Time - from) / bucket).ToDictionary(g => g.Key, g => g.ToList());
            var got = result.Times.Zip(result.Values).GroupBy(p => (p.First - from) / bucket).ToDictionary(g => g.Key, g => g.ToList());
            Assert.Equal(expected.Keys.Order(), got.Keys.Order());
            foreach (var (column, readings) in expected)
            {
                var shown = got[column];
                var context = $"seed {seed}, round {round}, column {column}";
                Assert.True(readings.Min(p => p.Value) == shown.Min(p => p.Second!.Value), $"{context}: min");
                Assert.True(readings.Max(p => p.Value) == shown.Max(p => p.Second!.Value), $"{context}: max");
                Assert.Equal(readings[0], (shown[0].First, shown[0].Second!.Value));
                Assert.Equal(readings[^1], (shown[^1].First, shown[^1].Second!.Value));
                // Every shown point is a reading, at its own time; a column of at most four shows them all.
                Assert.All(shown, p => Assert.Contains((p.First, p.Second!.Value), readings));
                if (readings.Count <= 4) Assert.Equal(readings, shown.Select(p => (p.First, p.Second!.Value)));
            }
        }
    }

    [Fact]
    public void Rollup_blobs_decode_to_the_very_values_encoded()
    {
        var random = Seeded(out var seed);
        const long chunk = 3_600_000_000;
        for (var round = 0; round < 500; round++)
        {
            var kind = random.Next(4);
            var previous = 0.0;
            var slots = Enumerable.Range(0, RollupChunk.Slots).Where(_ => random.Next(4) > 0).Select(i =>
            {
                var values = Enumerable.Range(0, random.Next(1, 20)).Select(_ => previous = Value(random, kind, previous)).ToList();
                return new RollupSlot(chunk + i * 60_000L, values.Count, values.Min(), values.Max(), values[0], values[^1], values.Average());
            }).ToList();
            var decoded = RollupChunk.Decode(chunk, RollupChunk.Encode(chunk, 60_000, slots));
            Assert.Equal(slots.Count, decoded.Count);
            for (var i = 0; i < slots.Count; i++)
            {
                var (a, b) = (slots[i], decoded[i]);
                Assert.True(a with { Mean = 0 } == b with { Mean = 0 }, $"seed {seed}, round {round}, slot {i}: {a} became {b}");
                // The mean keeps two digits more than the readings have (whole numbers here at the coarsest).
                Assert.True(Math.Abs(a.Mean - b.Mean) <= 0.005 + 1e-12, $"seed {seed}, round {round}, slot {i}: mean {a.Mean} became {b.Mean}");
            }
        }
    }

    [Fact]
    public async Task Columns_read_from_the_rollups_hold_the_recorded_min_and_max_exactly()
    {
        var random = Seeded(out var seed);
        var start = DateTimeOffset.Parse("2026-11-01T00:00:00Z");
        var time = new FakeTimeProvider(start);
        var store = new EmbeddedStore(new Database(Path.Combine(_directory, "rollups.db")), new TimeSeriesOptions(), time);
        var signal = new SignalId("sensors", "BME_temp", [new("sensor", "ESP01")]);
        // Three days at a random rate, so the first one is rolled up and its raw readings pruned.
        var points = Series(random, start.ToUnixTimeMilliseconds(), random.Next(20_000, 60_000), random.Next(2_000, 12_000))
            .Where(p => p.Time < start.AddDays(3).ToUnixTimeMilliseconds()).ToList();
        foreach (var batch in points.Chunk(5000))
            store.Store([.. batch.Select(p => new TimePoint("sensors", [new("sensor", "ESP01")], [new("BME_temp", p.Value)], p.Time))]);
        time.SetUtcNow(start.AddDays(3));
        var maintained = store.Maintain();
        Assert.True(maintained.RawRowsPruned > 0, $"seed {seed}: nothing pruned");

        // Columns of whole minutes over the three days: from the rollups where they exist, raw after.
        var (fromMs, toMs) = (start.ToUnixTimeMilliseconds(), start.AddDays(3).ToUnixTimeMilliseconds());
        int[] minutesPerColumn = [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 18, 20, 24];
        var width = 3 * 24 * 60 / minutesPerColumn[random.Next(minutesPerColumn.Length)];
        var series = await store.ReadAsync(signal, start, start.AddDays(3), width, CancellationToken.None);
        Assert.Equal(0, series.BucketMs % 60_000);
        var expected = points.GroupBy(p => (p.Time - fromMs) / series.BucketMs).ToDictionary(g => g.Key, g => (Min: g.Min(p => p.Value), Max: g.Max(p => p.Value)));
        var got = series.Times.Zip(series.Values).Where(p => p.Second is not null)
            .GroupBy(p => (p.First - fromMs) / series.BucketMs).ToDictionary(g => g.Key, g => (Min: g.Min(p => p.Second!.Value), Max: g.Max(p => p.Second!.Value)));
        Assert.Equal(expected.Keys.Order(), got.Keys.Order());
        foreach (var (column, extremes) in expected)
            Assert.True(extremes == got[column], $"seed {seed}, column {column} of {series.BucketMs} ms: recorded {extremes}, shown {got[column]}");
        Assert.True(series.Times.Count <= 4 * width + series.Values.Count(v => v is null));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
