using Microsoft.Data.Sqlite;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Storage;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Audit;

/// <summary>Every command and its result, in the embedded database, queryable by time range.</summary>
public sealed class AuditLog(Database database, TimeProvider time, AuditJournal? journal = null, ILogger<AuditLog>? log = null) : ICommandAudit
{
    /// <summary>Payloads are evidence, not storage: a huge one is cut, and says so.</summary>
    private const int MaxPayloadChars = 4096;

    /// <summary>The result of a row written before its command ran, until it is completed.</summary>
    public const string Pending = "pending";

    public event Action<AuditEntry>? Appended;

    public long Begin(CommandRequest request) => Insert(Entry(request, time.GetUtcNow(), ok: false, Pending)).Id;

    public void Complete(long id, CommandRequest request, CommandResult result)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE audit SET ok = $ok, result = $result WHERE id = $id RETURNING time_ms";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$ok", result.Ok ? 1 : 0);
        command.Parameters.AddWithValue("$result", result.ToString());
        var started = DateTimeOffset.FromUnixTimeMilliseconds((long)command.ExecuteScalar()!);
        Appended?.Invoke(Entry(request, started, result.Ok, result.ToString()) with { Id = id });
    }

    public void Record(CommandRequest request, CommandResult result) => Append(request, result);

    public AuditEntry Append(CommandRequest request, CommandResult result)
    {
        var entry = Insert(Entry(request, time.GetUtcNow(), result.Ok, result.ToString()));
        Appended?.Invoke(entry);
        return entry;
    }

    public void Journal(CommandRequest request, CommandResult result, DateTimeOffset at)
    {
        if (journal is null) throw new InvalidOperationException("no audit journal");
        journal.Append(Entry(request, at, result.Ok, result.ToString()));
    }

    /// <summary>Moves the journaled rows (interlock actions during a full disk) into the audit, in one transaction; their count.</summary>
    public int ImportJournal()
    {
        if (journal is null || journal.IsEmpty) return 0;
        var count = journal.Drain(entries =>
        {
            using var connection = database.Open();
            using var transaction = connection.BeginTransaction();
            foreach (var entry in entries) Insert(connection, entry);
            transaction.Commit();
        });
        log?.LogWarning("Imported {Count} audit rows from the journal {Path} (written while the database could not take them)", count, journal.Path);
        return count;
    }

    private AuditEntry Entry(CommandRequest request, DateTimeOffset at, bool ok, string result)
    {
        var payload = request.Payload.Length <= MaxPayloadChars
            ? request.Payload
            : request.Payload[..MaxPayloadChars] + $"… ({request.Payload.Length} chars)";
        return new AuditEntry(0, at, request.User, request.ClientId, request.Origin.ToString().ToLowerInvariant(),
            request.Topic, payload, ok, result);
    }

    private AuditEntry Insert(AuditEntry entry)
    {
        using var connection = database.Open();
        return Insert(connection, entry);
    }

    private static AuditEntry Insert(SqliteConnection connection, AuditEntry entry)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO audit (time_ms, user, client_id, origin, topic, payload, ok, result)
            VALUES ($time, $user, $client, $origin, $topic, $payload, $ok, $result)
            RETURNING id
            """;
        command.Parameters.AddWithValue("$time", entry.Time.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$user", entry.User);
        command.Parameters.AddWithValue("$client", entry.ClientId);
        command.Parameters.AddWithValue("$origin", entry.Origin);
        command.Parameters.AddWithValue("$topic", entry.Topic);
        command.Parameters.AddWithValue("$payload", entry.Payload);
        command.Parameters.AddWithValue("$ok", entry.Ok ? 1 : 0);
        command.Parameters.AddWithValue("$result", entry.Result);
        return entry with { Id = (long)command.ExecuteScalar()! };
    }

    /// <summary>Entries with from ≤ time &lt; to, newest first.</summary>
    public IReadOnlyList<AuditEntry> Query(DateTimeOffset from, DateTimeOffset to, int limit = 1000)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, time_ms, user, client_id, origin, topic, payload, ok, result FROM audit
            WHERE time_ms >= $from AND time_ms < $to ORDER BY time_ms DESC, id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var entries = new List<AuditEntry>();
        while (reader.Read())
            entries.Add(new AuditEntry(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
                reader.GetInt64(7) == 1, reader.GetString(8)));
        return entries;
    }
}
