using Microsoft.Data.Sqlite;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Storage;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Audit;

/// <summary>
/// Every command and its result, in the embedded database, queryable by time range. Each write tells
/// <paramref name="health"/> whether the database (or the journal) took it: a full disk raises system.store.
/// </summary>
public sealed partial class AuditLog(Database database, TimeProvider time, AuditJournal? journal = null, ILogger<AuditLog>? log = null,
    StoreHealth? health = null) : ICommandAudit
{
    public event Action<AuditEntry>? Appended;

    void ICommandAudit.Record(CommandRequest request, CommandResult result) => Append(request, result);

    public AuditEntry Append(CommandRequest request, CommandResult result)
    {
        var entry = Write(StoreHealth.Database, () =>
        {
            using var connection = database.Open();
            return Insert(connection, request, result.Ok, result.ToString(), time.GetUtcNow());
        });
        Appended?.Invoke(entry);
        return entry;
    }

    private T Write<T>(string store, Func<T> write) => health is null ? write() : health.Write(store, write);

    private static AuditEntry Insert(SqliteConnection connection, CommandRequest request, bool ok, string result, DateTimeOffset now)
    {
        var (topic, payload, text) = (AuditBounds.Topic(request.Topic), AuditBounds.Payload(request.Payload), AuditBounds.Result(result));
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO audit (time_ms, user, client_id, origin, topic, payload, ok, result)
            VALUES ($time, $user, $client, $origin, $topic, $payload, $ok, $result)
            RETURNING id
            """;
        command.Parameters.AddWithValue("$time", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$user", request.User);
        command.Parameters.AddWithValue("$client", request.ClientId);
        command.Parameters.AddWithValue("$origin", request.Origin.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("$topic", topic);
        command.Parameters.AddWithValue("$payload", payload);
        command.Parameters.AddWithValue("$ok", ok ? 1 : 0);
        command.Parameters.AddWithValue("$result", text);
        var id = (long)command.ExecuteScalar()!;
        return new AuditEntry(id, now, request.User, request.ClientId, request.Origin.ToString().ToLowerInvariant(),
            topic, payload, ok, text);
    }

    /// <summary>Entries with from ≤ time &lt; to, newest first.</summary>
    public IReadOnlyList<AuditEntry> Query(DateTimeOffset from, DateTimeOffset to, int limit = 1000) => QueryPage(from, to, limit, before: null);

    /// <summary>As <see cref="Query"/>, the page after <paramref name="before"/> (the last entry of the previous page).</summary>
    public IReadOnlyList<AuditEntry> QueryPage(DateTimeOffset from, DateTimeOffset to, int limit, AuditCursor? before)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        // (time_ms, id) is the order, so it is the cursor too: ids alone would skip entries if the clock stepped back.
        command.CommandText = """
            SELECT id, time_ms, user, client_id, origin, topic, payload, ok, result FROM audit
            WHERE time_ms >= $from AND time_ms < $to
              AND ($before_ms IS NULL OR time_ms < $before_ms OR (time_ms = $before_ms AND id < $before_id))
            ORDER BY time_ms DESC, id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$before_ms", before is { } b ? b.TimeMs : DBNull.Value);
        command.Parameters.AddWithValue("$before_id", before is { } c ? c.Id : DBNull.Value);
        using var reader = command.ExecuteReader();
        var entries = new List<AuditEntry>();
        while (reader.Read()) entries.Add(Row(reader));
        return entries;
    }

    /// <summary>One row read in the column order id, time_ms, user, client_id, origin, topic, payload, ok, result.</summary>
    private static AuditEntry Row(SqliteDataReader reader) =>
        new(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
            reader.GetInt64(7) == 1, reader.GetString(8));
}
