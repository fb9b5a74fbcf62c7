using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Web.History;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

/// <summary>The store with no InfluxDB configured: SQLite, decimated reads that keep the extremes, raw for 48 h and minutes for 400 days.</summary>
public sealed class EmbeddedStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-embedded-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z"));
    private readonly EmbeddedStore _store;

    public EmbeddedStoreTests() =>
        _store = new EmbeddedStore(new Database(Path.Combine(_directory, "test.db")), new TimeSeriesOptions(), _time);

    private static TimePoint Channel(string id, long timeMs, double vMon) => new("channels",
        [new("id", id), new("module", $"module_{id}")], [new("lv_vMon", vMon), new("lv_status", 1L), new("fsm_state", "LV_ON")], timeMs);

    private static readonly SignalId Channel0 = new("channels", "lv_vMon", [new("id", "0"), new("module", "module_0")]);

    private static double[] Values(TrendSeries series) => [.. series.Values.OfType<double>()];

    [Fact]
    public async Task A_signal_keeps_its_extremes_when_decimated_and_no_other_series_leaks_in()
    {
        var start = _time.GetUtcNow();
        var t0 = start.ToUnixTimeMilliseconds();
        // 100 s of channel 0 at 1 Hz: a sawtooth 0..9; channel 1 far above, never in channel 0's points.
        _store.Store(Enumerable.Range(0, 100).SelectMany(i => new[] { Channel("0", t0 + i * 1000, i % 10), Channel("1", t0 + i * 1000, 100 + i) }).ToList());

        // Four pixel columns of 25 readings each: decimated to first, min, max and last per column.
        var series = await _store.ReadAsync(Channel0, start, start.AddSeconds(100), 4, CancellationToken.None);
        Assert.True(series.Decimated);
        Assert.Equal(0, Values(series).Min());
        Assert.Equal(9, Values(series).Max());
        Assert.Equal(9, Values(series)[^1]);
        var status = await _store.ReadAsync(new SignalId("channels", "lv_status", [new("id", "1"), new("module", "module_1")]),
            start, start.AddSeconds(100), 1, CancellationToken.None);
        Assert.Equal(1, Values(status).Max());
        // A string field is no signal.
        Assert.Empty((await _store.ReadAsync(new SignalId("channels", "fsm_state", [new("id", "0"), new("module", "module_0")]),
            start, start.AddSeconds(100), 1, CancellationToken.None)).Times);
    }

    [Fact]
    public async Task Readings_past_the_raw_retention_live_on_as_minutes_until_the_rollup_retention()
    {
        var old = _time.GetUtcNow();
        _store.Store([Channel("0", old.ToUnixTimeMilliseconds(), 1), Channel("0", old.ToUnixTimeMilliseconds() + 10_000, 3)]);
        _time.Advance(TimeSpan.FromHours(49));
        _store.Store([Channel("0", _time.GetUtcNow().ToUnixTimeMilliseconds(), 2)]);
        var maintained = _store.Maintain();
        Assert.Equal(4, maintained.RawRowsPruned); // lv_vMon and lv_status of both old readings: gone from ts_raw
        var all = await _store.ReadAsync(Channel0, old, _time.GetUtcNow().AddSeconds(1), 2, CancellationToken.None);
        // The old minute is still there, from its rollup: its min and max, then the new reading.
        Assert.Equal([1.0, 3.0, 2.0], Values(all).Distinct());

        _time.Advance(TimeSpan.FromDays(401));
        _store.Maintain();
        Assert.Empty((await _store.ReadAsync(Channel0, old, _time.GetUtcNow(), 2, CancellationToken.None)).Times);
    }

    [Fact]
    public async Task The_former_retention_setting_still_sets_the_raw_retention()
    {
        var options = new TimeSeriesOptions { EmbeddedRetention = TimeSpan.FromHours(3) };
        Assert.Equal(TimeSpan.FromHours(3), options.RawRetention);
        Assert.Empty(options.Validate());
        var store = new EmbeddedStore(new Database(Path.Combine(_directory, "alias.db")), options, _time);
        store.Store([Channel("0", _time.GetUtcNow().ToUnixTimeMilliseconds(), 1)]);
        _time.Advance(TimeSpan.FromHours(5));
        Assert.Equal(2, store.Maintain().RawRowsPruned);
        Assert.Equal("Embedded:RawRetention 00:30:00 must be at least two rollup chunks (02:00:00: 60 × RollupInterval each)",
            new TimeSeriesOptions { EmbeddedRetention = TimeSpan.FromMinutes(30) }.Validate().Single());
        await Task.CompletedTask;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
