using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;
using TrackerDcs.Web.Trends;
using Xunit.Abstractions;
using TrackerDcs.Web.History;

namespace TrackerDcs.Tests.Trends;

/// <summary>
/// The trend reads from Debian's influxd against the embedded store on the same readings: every reading where a
/// range has few, the same extremes per column where InfluxDB decimates (GROUP BY time with first, min, max, last),
/// the catalogue from SHOW SERIES and SHOW FIELD KEYS, and the tags as a filter.
/// </summary>
public sealed class InfluxTrendTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-influx-trends-").FullName;

    [Fact]
    public async Task Influxdb_and_the_embedded_store_show_the_same_readings_and_extremes()
    {
        var seed = Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var start = DateTimeOffset.Parse("2026-11-20T00:00:00Z");
        // Two channels for 6 hours at 1 Hz, a noisy reading with rare spikes; a status field that is an integer.
        var points = new List<TimePoint>();
        var value = 0.0;
        for (var s = 0; s < 6 * 3600; s++)
            foreach (var id in new[] { "0", "1" })
            {
                value = Math.Round(value + random.NextDouble() - 0.5 + (random.Next(2000) == 0 ? 50 : 0), 3);
                points.Add(new TimePoint("channels", [new("id", id), new("module", $"module_{id}")],
                    [new("hv_iMon", id == "0" ? value : -value), new("hv_status", 1L)], start.AddSeconds(s).ToUnixTimeMilliseconds()));
            }
        await using var influx = new InfluxServer();
        await influx.StartAsync();
        await influx.QueryAsync("", "CREATE DATABASE trends");
        foreach (var batch in points.Chunk(5000))
            await influx.WriteAsync("trends", string.Join('\n', batch.Select(p => p.ToLineProtocol())));
        var embedded = new EmbeddedStore(new Database(Path.Combine(_directory, "e.db")), new TimeSeriesOptions(), new FakeTimeProvider(start.AddHours(6)));
        embedded.Store(points);
        using var reader = new InfluxHistoryReader(new InfluxOptions { Api = InfluxApi.V1, Url = influx.Url, Database = "trends" }, null);

        var catalogue = (await reader.SignalsAsync(CancellationToken.None)).Select(s => s.Key).Order().ToList();
        Assert.Equal(["channels.hv_iMon[id=0,module=module_0]", "channels.hv_iMon[id=1,module=module_1]",
            "channels.hv_status[id=0,module=module_0]", "channels.hv_status[id=1,module=module_1]"], catalogue);

        SignalId.TryParse("channels.hv_iMon[id=0]", out var signal, out _);
        // Ten minutes at 1200 px: every reading, exactly, from both.
        var (from, to) = (start.AddHours(2), start.AddHours(2).AddMinutes(10));
        var influxRaw = await reader.ReadAsync(signal!, from, to, 1200, CancellationToken.None);
        var embeddedRaw = await embedded.ReadAsync(signal!, from, to, 1200, CancellationToken.None);
        Assert.False(influxRaw.Decimated);
        Assert.Equal(600, influxRaw.Times.Count);
        Assert.Equal(embeddedRaw.Times, influxRaw.Times);
        Assert.Equal(embeddedRaw.Values, influxRaw.Values);

        // Six hours at 360 px (a minute a column): decimated by InfluxDB; the same min and max per column.
        var influxM4 = await reader.ReadAsync(signal!, start, start.AddHours(6), 360, CancellationToken.None);
        var embeddedM4 = await embedded.ReadAsync(signal!, start, start.AddHours(6), 360, CancellationToken.None);
        Assert.True(influxM4.Decimated);
        Assert.True(influxM4.Times.Count <= 4 * 360);
        static Dictionary<long, (double, double)> Extremes(TrendSeries s, long fromMs) => s.Times.Zip(s.Values).Where(p => p.Second is not null)
            .GroupBy(p => (p.First - fromMs) / s.BucketMs).ToDictionary(g => g.Key, g => (g.Min(p => p.Second!.Value), g.Max(p => p.Second!.Value)));
        Assert.Equal(influxM4.BucketMs, embeddedM4.BucketMs);
        Assert.Equal(Extremes(embeddedM4, start.ToUnixTimeMilliseconds()), Extremes(influxM4, start.ToUnixTimeMilliseconds()));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
