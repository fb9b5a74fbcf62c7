using Microsoft.Data.Sqlite;
using TrackerDcs.Web.History;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// With no InfluxDB configured, the numeric fields live in the embedded SQLite database, so the panel's history
/// works on a fresh machine and keeps months: every reading for <see cref="TimeSeriesOptions.RawRetention"/>
/// (<c>ts_raw</c>, one row per reading, keyed by signal and time), and per rollup interval the count, min, max,
/// first, last and mean for <see cref="EmbeddedOptions.RollupRetention"/> (<c>ts_rollup</c>, one compressed blob
/// per signal and chunk, <see cref="RollupChunk"/>). The rollups are made in the background from the raw readings
/// of chunks that have ended (<see cref="Maintain"/>); a query takes the rollups where a pixel column spans at
/// least one interval and they exist, the raw readings elsewhere. Strings (states) are not kept: the panel charts
/// numbers, and states come from MQTT. A reading with the time and signal of one already stored replaces it, as in
/// InfluxDB.
/// </summary>
public sealed partial class EmbeddedStore : IPointStore, ITrendStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS ts_series (
            id INTEGER PRIMARY KEY,
            measurement TEXT NOT NULL,
            series TEXT NOT NULL,
            field TEXT NOT NULL,
            UNIQUE (measurement, series, field));
        CREATE TABLE IF NOT EXISTS ts_raw (
            sid INTEGER NOT NULL,
            time_ms INTEGER NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (sid, time_ms)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS ts_rollup (
            sid INTEGER NOT NULL,
            chunk_ms INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (sid, chunk_ms)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS ts_state (
            key TEXT PRIMARY KEY,
            value INTEGER NOT NULL);
        """;

    /// <summary>
    /// The table of the 24-hour store that came before (one row per reading, names repeated in every row): its
    /// readings move into ts_raw at the first start, once.
    /// </summary>
    private const string Migration = """
        INSERT OR IGNORE INTO ts_series (measurement, series, field) SELECT DISTINCT measurement, series, field FROM ts_samples;
        INSERT OR REPLACE INTO ts_raw (sid, time_ms, value)
            SELECT s.id, o.time_ms, o.value FROM ts_samples o JOIN ts_series s USING (measurement, series, field);
        DROP TABLE ts_samples;
        """;

    private readonly Database _database;
    private readonly TimeProvider _time;
    private readonly TimeSpan _rawRetention;
    private readonly EmbeddedOptions _options;
    private readonly long _intervalMs;
    private readonly long _chunkMs;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Measurement, string Series, string Field), long> _ids = [];
    // The earliest reading stored behind the rollups since the last maintenance (a clock set back, a replay):
    // its chunks are rolled up again while their raw readings are still all there.
    private long _lateFromMs = long.MaxValue;

    public EmbeddedStore(Database database, TimeSeriesOptions options, TimeProvider time)
    {
        _database = database;
        _time = time;
        _rawRetention = options.RawRetention;
        _options = options.Embedded;
        _intervalMs = (long)_options.RollupInterval.TotalMilliseconds;
        _chunkMs = (long)_options.Chunk.TotalMilliseconds;
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, Schema);
        if (Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ts_samples'") is > 0)
            Execute(connection, Migration);
        transaction.Commit();
    }

    public string Kind => "embedded";

    public void Store(IReadOnlyList<TimePoint> points)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT OR REPLACE INTO ts_raw (sid, time_ms, value) VALUES ($s, $t, $v)";
        var (s, t, v) = (insert.Parameters.Add("$s", SqliteType.Integer), insert.Parameters.Add("$t", SqliteType.Integer), insert.Parameters.Add("$v", SqliteType.Real));
        var added = new Dictionary<(string, string, string), long>();
        var rolledUpTo = State(connection, RolledUpToKey) ?? long.MinValue;
        var earliest = long.MaxValue;
        foreach (var point in points)
        {
            var series = point.SeriesKey;
            foreach (var (field, value) in point.Fields)
            {
                double? number = value switch { double d => d, long l => l, ulong u => u, bool b => b ? 1 : 0, _ => null };
                if (number is null) continue;
                (s.Value, t.Value, v.Value) = (SeriesId(connection, (point.Measurement, series, field), added), point.TimeMs, number.Value);
                insert.ExecuteNonQuery();
            }
            earliest = Math.Min(earliest, point.TimeMs);
        }
        transaction.Commit();
        lock (_gate)
        {
            // Ids become known once their rows are committed: a rolled-back id could be handed to another series.
            foreach (var (key, id) in added) _ids[key] = id;
            if (earliest < rolledUpTo) _lateFromMs = Math.Min(_lateFromMs, earliest);
        }
    }

    private long SeriesId(SqliteConnection connection, (string Measurement, string Series, string Field) key, Dictionary<(string, string, string), long> added)
    {
        lock (_gate)
            if (_ids.TryGetValue(key, out var known)) return known;
        if (added.TryGetValue(key, out var id)) return id;
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR IGNORE INTO ts_series (measurement, series, field) VALUES ($m, $s, $f);
            SELECT id FROM ts_series WHERE measurement = $m AND series = $s AND field = $f;
            """;
        command.Parameters.AddWithValue("$m", key.Measurement);
        command.Parameters.AddWithValue("$s", key.Series);
        command.Parameters.AddWithValue("$f", key.Field);
        return added[key] = (long)command.ExecuteScalar()!;
    }

    /// <summary>Every signal ever stored, with its id.</summary>
    private List<(long Id, string Measurement, string Series, string Field)> AllSeries(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, measurement, series, field FROM ts_series ORDER BY id";
        using var reader = command.ExecuteReader();
        var all = new List<(long, string, string, string)>();
        while (reader.Read()) all.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return all;
    }

    private const string RolledUpToKey = "rolled_up_to_ms";
    private const string RawFromKey = "raw_from_ms";

    private static long? State(SqliteConnection connection, string key)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM ts_state WHERE key = $k";
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar() is long value ? value : null;
    }

    private static void SetState(SqliteConnection connection, string key, long value)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO ts_state (key, value) VALUES ($k, $v)";
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is long value ? value : null;
    }

    private long FloorChunk(long timeMs) => timeMs - (((timeMs % _chunkMs) + _chunkMs) % _chunkMs);
}
