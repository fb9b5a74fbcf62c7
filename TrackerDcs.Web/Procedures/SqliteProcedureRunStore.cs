using System.Text.Json;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Procedures;

/// <summary>
/// Procedure runs in the embedded database, one JSON document per run. The run number is SQLite's
/// AUTOINCREMENT key, never handed out twice, also after a restart.
/// </summary>
public sealed class SqliteProcedureRunStore : IProcedureRunStore
{
    private readonly Database _database;

    public SqliteProcedureRunStore(Database database)
    {
        _database = database;
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS procedure_runs (
                run INTEGER PRIMARY KEY AUTOINCREMENT,
                state TEXT NOT NULL,
                document TEXT NOT NULL);
            """;
        command.ExecuteNonQuery();
    }

    public string Kind => "sqlite";

    public long Insert(ProcedureRunDocument document)
    {
        document.Run = _database.Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO procedure_runs (state, document) VALUES ('running', '{}') RETURNING run;";
            return (long)command.ExecuteScalar()!;
        });
        Save(document);
        return document.Run;
    }

    public void Save(ProcedureRunDocument document)
    {
        _database.Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE procedure_runs SET state = $state, document = $document WHERE run = $run;";
            command.Parameters.AddWithValue("$run", document.Run);
            command.Parameters.AddWithValue("$state", JsonSerializer.Serialize(document.State).Trim('"'));
            command.Parameters.AddWithValue("$document", JsonSerializer.Serialize(document, Json.Options));
            command.ExecuteNonQuery();
        });
    }

    public ProcedureRunDocument? Get(long run) => Query("WHERE run = $run", ("$run", run)).FirstOrDefault();

    public IReadOnlyList<ProcedureRunDocument> List(int limit) => Query("ORDER BY run DESC LIMIT $limit", ("$limit", limit));

    /// <summary>Read from the documents' times with json_extract, without loading their steps and curves.</summary>
    public IReadOnlyList<ProcedureSpan> Spans(long fromMs, long toMs, int limit)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT run, json_extract(document, '$.procedure'), state, json_extract(document, '$.start_ms'),
                   json_extract(document, '$.end_ms'), json_extract(document, '$.modules')
            FROM procedure_runs
            WHERE json_extract(document, '$.start_ms') < $to AND coalesce(json_extract(document, '$.end_ms'), $to) >= $from
            ORDER BY run DESC LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var spans = new List<ProcedureSpan>();
        while (reader.Read())
            spans.Add(new ProcedureSpan(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4), JsonSerializer.Deserialize<List<string>>(reader.GetString(5)) ?? []));
        spans.Reverse();
        return spans;
    }

    public IReadOnlyList<ProcedureRunDocument> Unfinished() => Query("WHERE state IN ('running', 'paused') ORDER BY run");

    private List<ProcedureRunDocument> Query(string where, params (string Name, object Value)[] parameters)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT document FROM procedure_runs {where};";
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        using var reader = command.ExecuteReader();
        var documents = new List<ProcedureRunDocument>();
        while (reader.Read()) documents.Add(JsonSerializer.Deserialize<ProcedureRunDocument>(reader.GetString(0), Json.Options)!);
        return documents;
    }
}
