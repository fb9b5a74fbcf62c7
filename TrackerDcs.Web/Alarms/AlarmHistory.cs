using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Alarms;

/// <summary>
/// Every alarm event (raised, cleared, acknowledged, shelved, unshelved, shelve expired) in the embedded database.
/// The alarms never wait for it: <see cref="Record"/> keeps in memory what the database does not take (a full disk),
/// up to <see cref="MaxUnwritten"/> rows, and <see cref="Flush"/> writes them, with their own times, once it does.
/// </summary>
public sealed class AlarmHistory
{
    /// <summary>Rows kept while the database refuses them: hours of a busy stand's events, a few hundred kB of memory.</summary>
    public const int MaxUnwritten = 1000;

    private readonly Database _database;
    private readonly TimeProvider _time;
    private readonly ILogger<AlarmHistory>? _log;
    private readonly StoreHealth? _health;
    private readonly Lock _gate = new();
    private readonly Queue<Row> _unwritten = new();
    private long _dropped;
    private bool _failing;

    private sealed record Row(long TimeMs, string Event, string Key, string Severity, string Message, string User, string? Detail);

    public AlarmHistory(Database database, TimeProvider time, ILogger<AlarmHistory>? log = null, StoreHealth? health = null)
    {
        _database = database;
        _time = time;
        _log = log;
        _health = health;
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS alarm_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                time_ms INTEGER NOT NULL,
                event TEXT NOT NULL,
                key TEXT NOT NULL,
                severity TEXT NOT NULL,
                message TEXT NOT NULL,
                user TEXT NOT NULL,
                detail TEXT);
            CREATE INDEX IF NOT EXISTS alarm_events_time ON alarm_events(time_ms);
            """;
        command.ExecuteNonQuery();
    }

    public sealed record Entry(DateTimeOffset Time, string Event, string Key, string Severity, string Message, string User, string? Detail);

    /// <summary>Rows waiting in memory for the database.</summary>
    public int Unwritten { get { lock (_gate) return _unwritten.Count; } }

    /// <summary>Rows lost for good: the database refused them and memory was full.</summary>
    public long Dropped { get { lock (_gate) return _dropped; } }

    /// <summary>Writes one event now; throws when the database does not take it (the demo history's path).</summary>
    public void Append(string name, Alarm alarm, string user) => Write([RowOf(name, alarm, user)]);

    /// <summary>
    /// Records one event and never throws: written at once with whatever waits before it, or kept in memory when
    /// the database refuses it. The failure is logged once, when it starts, and the recovery once, with the counts.
    /// </summary>
    public void Record(string name, Alarm alarm, string user)
    {
        lock (_gate)
        {
            _unwritten.Enqueue(RowOf(name, alarm, user));
            if (_unwritten.Count > MaxUnwritten)
            {
                _unwritten.Dequeue();
                if (_dropped++ == 0)
                    _log?.LogError("Alarm history: {Max} rows wait for the database; the oldest are dropped from now on", MaxUnwritten);
            }
        }
        Flush();
    }

    /// <summary>Writes the rows kept in memory, oldest first, in one transaction; the alarm manager calls it at each evaluation while any wait.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_unwritten.Count == 0) return;
            var rows = _unwritten.ToList();
            try
            {
                if (_health is null) Write(rows);
                else _health.Write(StoreHealth.Database, () => { Write(rows); return rows.Count; });
            }
            catch (Exception e)
            {
                if (!_failing)
                    _log?.LogError("Alarm history cannot be written ({Error}): alarms are still evaluated and published; their history rows are kept " +
                        "in memory (at most {Max}) and written when the database takes them again", e.Message, MaxUnwritten);
                _failing = true;
                return;
            }
            _unwritten.Clear();
            if (!_failing) return;
            _failing = false;
            _log?.LogWarning("Alarm history written again: {Count} rows kept in memory are in the database now, {Dropped} were dropped (memory full)",
                rows.Count, _dropped);
            _dropped = 0;
        }
    }

    private Row RowOf(string name, Alarm alarm, string user) => new(_time.GetUtcNow().ToUnixTimeMilliseconds(), name, alarm.Key,
        alarm.Severity.ToString().ToLowerInvariant(), alarm.Message, user, name == "shelved" ? $"until {alarm.ShelvedUntil:O}: {alarm.ShelveReason}" : null);

    private void Write(IReadOnlyList<Row> rows)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var row in rows)
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO alarm_events (time_ms, event, key, severity, message, user, detail)
                VALUES ($time, $event, $key, $severity, $message, $user, $detail)
                """;
            command.Parameters.AddWithValue("$time", row.TimeMs);
            command.Parameters.AddWithValue("$event", row.Event);
            command.Parameters.AddWithValue("$key", row.Key);
            command.Parameters.AddWithValue("$severity", row.Severity);
            command.Parameters.AddWithValue("$message", row.Message);
            command.Parameters.AddWithValue("$user", row.User);
            command.Parameters.AddWithValue("$detail", row.Detail is null ? DBNull.Value : row.Detail);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    public IReadOnlyList<Entry> Query(DateTimeOffset from, DateTimeOffset to, int limit = 1000)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT time_ms, event, key, severity, message, user, detail FROM alarm_events
            WHERE time_ms >= $from AND time_ms < $to ORDER BY time_ms DESC, id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var entries = new List<Entry>();
        while (reader.Read())
            entries.Add(new Entry(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        return entries;
    }
}
