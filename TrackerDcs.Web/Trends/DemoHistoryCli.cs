using System.Globalization;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Web.Trends;

/// <summary>
/// <c>TrackerDcs demo-history [--days 7] [--end 2026-11-25T12:00:00Z] [--seed 18]</c>: fills the data directory's embedded
/// store with <see cref="DemoHistory"/>'s week ending now (or at --end), then rolls it up as the running stand would.
/// For demonstrations and screenshots; run it on a stand's data directory only if a week of made-up history is wanted there.
/// </summary>
public static class DemoHistoryCli
{
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        var (days, end, seed) = (7, DateTimeOffset.UtcNow, 18);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            var ok = args[i] switch
            {
                "--days" => int.TryParse(value, CultureInfo.InvariantCulture, out days) && days is >= 1 and <= 400,
                "--end" => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out end),
                "--seed" => int.TryParse(value, CultureInfo.InvariantCulture, out seed),
                _ => false,
            };
            if (!ok)
            {
                error.WriteLine($"demo-history: '{args[i]} {value}' is not understood. Usage: demo-history [--days 1–400] [--end <ISO 8601 time>] [--seed <number>]");
                return 2;
            }
            i++;
        }
        try
        {
            var options = Settings.Bind<TimeSeriesOptions>(configuration, TimeSeriesOptions.SectionName);
            if (options.Influx.Api != InfluxApi.None)
            {
                error.WriteLine("demo-history: this stand writes to InfluxDB (TimeSeries:Influx:Api); the demo fills the embedded store only");
                return 2;
            }
            var database = new Database(new DataDirectory(configuration));
            var clock = new DemoHistory.Clock();
            var store = new EmbeddedStore(database, options, TimeProvider.System);
            var demo = new DemoHistory(store, new AlarmHistory(database, clock), new SqliteRunStore(database), clock);
            var summary = await demo.FillAsync(end, days, seed, CancellationToken.None);
            var maintained = store.Maintain();
            output.WriteLine($"demo-history: {summary.Points} readings from {summary.From:u} to {summary.To:u}, {summary.Runs} runs, " +
                $"{summary.AlarmEvents} alarm events; {maintained.ChunksRolledUp} hourly chunks rolled up, {maintained.RawRowsPruned} raw readings past the raw retention pruned");
            return 0;
        }
        catch (SettingsException e)
        {
            error.WriteLine($"demo-history: {e.Message}");
            return 2;
        }
    }
}
