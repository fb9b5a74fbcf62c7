using Microsoft.Data.Sqlite;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Storage;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Audit;

/// <summary>Every command and its result, in the embedded database, queryable by time range.</summary>
public sealed partial class AuditLog(Database database, TimeProvider time, AuditJournal? journal = null, ILogger<AuditLog>? log = null) : ICommandAudit
{
    /// <summary>Payloads are evidence, not storage: a huge one is cut, and says so.</summary>
    private const int MaxPayloadChars = 4096;

    public event Action<AuditEntry>? Appended;

    void ICommandAudit.Record(CommandRequest request, CommandResult result) => Append(request, result);

    public AuditEntry Append(CommandRequest request, CommandResult result)
    {
        using var connection = database.Open();
        var entry = Insert(connection, request, result.Ok, result.ToString(), time.GetUtcNow());
        Appended?.Invoke(entry);
        return entry;
    }

    private static AuditEntry Insert(SqliteConnection connection, CommandRequest request, bool ok, string result, DateTimeOffset now)
    {
        var payload = request.Payload.Length <= MaxPayloadChars
            ? request.Payload
            : request.Payload[..MaxPayloadChars] + $"… ({request.Payload.Length} chars)";
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
        command.Parameters.AddWithValue("$topic", request.Topic);
        command.Parameters.AddWithValue("$payload", payload);
        command.Parameters.AddWithValue("$ok", ok ? 1 : 0);
        command.Parameters.AddWithValue("$result", result);
        var id = (long)command.ExecuteScalar()!;
        return new AuditEntry(id, now, request.User, request.ClientId, request.Origin.ToString().ToLowerInvariant(),
            request.Topic, payload, ok, result);
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
        while (reader.Read()) entries.Add(Row(reader));
        return entries;
    }

    /// <summary>One row read in the column order id, time_ms, user, client_id, origin, topic, payload, ok, result.</summary>
    private static AuditEntry Row(SqliteDataReader reader) =>
        new(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
            reader.GetInt64(7) == 1, reader.GetString(8));
}
