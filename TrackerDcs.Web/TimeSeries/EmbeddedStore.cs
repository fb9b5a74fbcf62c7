using Microsoft.Data.Sqlite;
using TrackerDcs.Web.History;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// With no InfluxDB configured, the numeric fields of the last <see cref="TimeSeriesOptions.EmbeddedRetention"/>
/// live in the embedded SQLite database (one row per field value), so the panel's history works on a fresh
/// machine. Strings (states) are not kept: the panel charts numbers, and states come from MQTT.
/// </summary>
public sealed class EmbeddedStore : IPointStore, IHistoryReader
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS ts_samples (
            time_ms INTEGER NOT NULL,
            measurement TEXT NOT NULL,
            series TEXT NOT NULL,
            field TEXT NOT NULL,
            value REAL NOT NULL);
        CREATE INDEX IF NOT EXISTS ts_samples_lookup ON ts_samples(measurement, field, time_ms);
        CREATE INDEX IF NOT EXISTS ts_samples_time ON ts_samples(time_ms);
        """;

    private readonly Database _database;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private long _nextPruneMs;

    public EmbeddedStore(Database database, TimeSeriesOptions options, TimeProvider time)
    {
        _database = database;
        _retention = options.EmbeddedRetention;
        _time = time;
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();
    }

    public void Store(IReadOnlyList<TimePoint> points)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO ts_samples (time_ms, measurement, series, field, value) VALUES ($t, $m, $s, $f, $v)";
        var (t, m, s, f, v) = (insert.Parameters.Add("$t", SqliteType.Integer), insert.Parameters.Add("$m", SqliteType.Text),
            insert.Parameters.Add("$s", SqliteType.Text), insert.Parameters.Add("$f", SqliteType.Text), insert.Parameters.Add("$v", SqliteType.Real));
        foreach (var point in points)
        {
            (t.Value, m.Value, s.Value) = (point.TimeMs, point.Measurement, point.SeriesKey);
            foreach (var (field, value) in point.Fields)
            {
                double? number = value switch { double d => d, long l => l, ulong u => u, bool b => b ? 1 : 0, _ => null };
                if (number is null) continue;
                (f.Value, v.Value) = (field, number.Value);
                insert.ExecuteNonQuery();
            }
        }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now >= _nextPruneMs)
        {
            // Pruning once a minute keeps each delete small.
            using var prune = connection.CreateCommand();
            prune.CommandText = "DELETE FROM ts_samples WHERE time_ms < $cut";
            prune.Parameters.AddWithValue("$cut", now - (long)_retention.TotalMilliseconds);
            prune.ExecuteNonQuery();
            _nextPruneMs = now + 60_000;
        }
        transaction.Commit();
    }

    public Task<IReadOnlyList<HistoryBucket>> ReadAsync(string measurement, IReadOnlyDictionary<string, string> tags, string field,
        DateTimeOffset from, DateTimeOffset to, int buckets, CancellationToken cancellationToken)
    {
        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        if (buckets < 1 || toMs <= fromMs) return Task.FromResult<IReadOnlyList<HistoryBucket>>([]);
        var width = Math.Max(1, (toMs - fromMs + buckets - 1) / buckets);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT time_ms, series, value FROM ts_samples
            WHERE measurement = $m AND field = $f AND time_ms >= $from AND time_ms < $to ORDER BY time_ms
            """;
        command.Parameters.AddWithValue("$m", measurement);
        command.Parameters.AddWithValue("$f", field);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        var matches = new Dictionary<string, bool>();
        var result = new List<HistoryBucket>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var series = reader.GetString(1);
            if (!matches.TryGetValue(series, out var match)) matches[series] = match = Matches(series, tags);
            if (!match) continue;
            var (time, value) = (reader.GetInt64(0), reader.GetDouble(2));
            var start = fromMs + (time - fromMs) / width * width;
            if (result.Count > 0 && result[^1].Start.ToUnixTimeMilliseconds() == start)
            {
                var last = result[^1];
                result[^1] = last with { Min = Math.Min(last.Min, value), Max = Math.Max(last.Max, value), Last = value };
            }
            else result.Add(new HistoryBucket(DateTimeOffset.FromUnixTimeMilliseconds(start), value, value, value));
        }
        return Task.FromResult<IReadOnlyList<HistoryBucket>>(result);
    }

    private static bool Matches(string series, IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count == 0) return true;
        var pairs = series.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return tags.All(t => pairs.TryGetValue(t.Key, out var v) && v == t.Value);
    }
}
