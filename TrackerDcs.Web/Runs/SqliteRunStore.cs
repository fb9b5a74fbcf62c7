using TrackerDcs.Web.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// Run documents in the embedded database: one JSON document per run, large result files in a blob table.
/// Run numbers come from an AUTOINCREMENT table, which SQLite guarantees never to hand out twice, even after
/// a row is deleted or the process restarts.
/// </summary>
public sealed class SqliteRunStore : IRunStore
{
    private readonly Database _database;

    public SqliteRunStore(Database database)
    {
        _database = database;
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS run_numbers (
                run INTEGER PRIMARY KEY AUTOINCREMENT,
                allocated_ms INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS runs (
                run INTEGER PRIMARY KEY,
                document TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS run_blobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                run INTEGER NOT NULL,
                name TEXT NOT NULL,
                content BLOB NOT NULL);
            """;
        command.ExecuteNonQuery();
    }

    public string Kind => "sqlite";

    public Task<long> NextRunNumberAsync(CancellationToken ct = default)
    {
        return Task.FromResult(_database.Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO run_numbers (allocated_ms) VALUES ($now) RETURNING run;";
            command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return (long)command.ExecuteScalar()!;
        }));
    }

    public Task SaveAsync(RunDocument document, CancellationToken ct = default)
    {
        _database.Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO runs (run, document) VALUES ($run, $document) ON CONFLICT(run) DO UPDATE SET document = excluded.document;";
            command.Parameters.AddWithValue("$run", document.Run);
            command.Parameters.AddWithValue("$document", JsonSerializer.Serialize(document, Json.Options));
            command.ExecuteNonQuery();
        });
        return Task.CompletedTask;
    }

    public Task<RunDocument?> GetAsync(long run, CancellationToken ct = default)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT document FROM runs WHERE run = $run;";
        command.Parameters.AddWithValue("$run", run);
        return Task.FromResult(command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<RunDocument>(json, Json.Options) : null);
    }

    public Task<IReadOnlyList<RunDocument>> ListAsync(int limit, CancellationToken ct = default)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT document FROM runs ORDER BY run DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var documents = new List<RunDocument>();
        while (reader.Read()) documents.Add(JsonSerializer.Deserialize<RunDocument>(reader.GetString(0), Json.Options)!);
        return Task.FromResult<IReadOnlyList<RunDocument>>(documents);
    }

    public async Task<string> PutBlobAsync(long run, string name, Stream content, CancellationToken ct = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        return _database.Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO run_blobs (run, name, content) VALUES ($run, $name, $content) RETURNING id;";
            command.Parameters.AddWithValue("$run", run);
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.Add("$content", SqliteType.Blob).Value = buffer.ToArray();
            return ((long)command.ExecuteScalar()!).ToString();
        });
    }

    public Task<byte[]?> GetBlobAsync(string id, CancellationToken ct = default)
    {
        if (!long.TryParse(id, out var key)) return Task.FromResult<byte[]?>(null);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT content FROM run_blobs WHERE id = $id;";
        command.Parameters.AddWithValue("$id", key);
        return Task.FromResult(command.ExecuteScalar() as byte[]);
    }
}
