using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Alarms;

/// <summary>Every alarm event (raised, cleared, acknowledged, shelved, unshelved, shelve expired) in the embedded database.</summary>
public sealed class AlarmHistory
{
    private readonly Database _database;
    private readonly TimeProvider _time;

    public AlarmHistory(Database database, TimeProvider time)
    {
        _database = database;
        _time = time;
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

    public void Append(string name, Alarm alarm, string user)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO alarm_events (time_ms, event, key, severity, message, user, detail)
            VALUES ($time, $event, $key, $severity, $message, $user, $detail)
            """;
        command.Parameters.AddWithValue("$time", _time.GetUtcNow().ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$event", name);
        command.Parameters.AddWithValue("$key", alarm.Key);
        command.Parameters.AddWithValue("$severity", alarm.Severity.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("$message", alarm.Message);
        command.Parameters.AddWithValue("$user", user);
        command.Parameters.AddWithValue("$detail", name == "shelved" ? $"until {alarm.ShelvedUntil:O}: {alarm.ShelveReason}" : (object)DBNull.Value);
        command.ExecuteNonQuery();
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
