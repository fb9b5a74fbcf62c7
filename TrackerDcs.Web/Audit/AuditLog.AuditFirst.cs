using TrackerDcs.Web.Commands;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Audit;

/// <summary>
/// The audit comes first: a command's row is written before the command runs and completed after, so a
/// command the database cannot record never reaches a device. Interlock actions that ran while the database
/// could not take their row are kept in the <see cref="AuditJournal"/> and imported here once it can.
/// </summary>
public sealed partial class AuditLog
{
    /// <summary>The result of a row written before its command ran, until the command's answer completes it.</summary>
    public const string Pending = "pending";

    public long Begin(CommandRequest request)
    {
        using var connection = database.Open();
        return Insert(connection, request, ok: false, Pending, time.GetUtcNow()).Id;
    }

    public void Complete(long id, CommandRequest request, CommandResult result)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE audit SET ok = $ok, result = $result WHERE id = $id
            RETURNING id, time_ms, user, client_id, origin, topic, payload, ok, result
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$ok", result.Ok ? 1 : 0);
        command.Parameters.AddWithValue("$result", AuditBounds.Result(result.ToString()));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException($"audit row {id} of {request.Topic} is gone");
        Appended?.Invoke(Row(reader));
    }

    public void Journal(CommandRequest request, CommandResult result, DateTimeOffset at)
    {
        if (journal is null) throw new InvalidOperationException("there is no audit journal");
        journal.Append(new JournaledCommand(at, request, result.Ok, result.ToString()));
    }

    /// <summary>Moves the journaled rows into the audit in one transaction (all or none, so none is imported twice); their count.</summary>
    public int ImportJournal()
    {
        if (journal is null || journal.IsEmpty) return 0;
        List<AuditEntry> imported = [];
        var count = journal.Drain(rows =>
        {
            using var connection = database.Open();
            using var transaction = connection.BeginTransaction();
            imported = rows.Select(r => Insert(connection, r.Request, r.Ok, r.Result, r.Time)).ToList();
            transaction.Commit();
        });
        foreach (var entry in imported) Appended?.Invoke(entry);
        log?.LogWarning("Imported {Count} audit rows from the journal {Path}, written while the database could not take them", count, journal.Path);
        return count;
    }
}
