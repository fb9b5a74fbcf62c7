using Microsoft.Data.Sqlite;

namespace TrackerDcs.Web.Storage;

/// <summary>
/// The embedded SQLite database in the data directory (users, audit log). Each operation opens a
/// pooled connection; WAL lets the panel read while a writer appends.
/// </summary>
public sealed class Database
{
    private readonly string _connectionString;

    public Database(DataDirectory data) : this(data.File("trackerdcs.db")) { }

    public Database(string path)
    {
        // Password hashes and the audit log: created owner-only, and an older database made so. SQLite gives its
        // -wal and -shm files the database file's mode.
        try
        {
            if (!File.Exists(path)) File.Open(path, DataDirectory.PrivateWrite(FileMode.CreateNew)).Dispose();
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created meanwhile by another opener: made private below all the same.
        }
        PermissionProblem = DataDirectory.MakePrivate(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, Schema);
    }

    /// <summary>Why the database file could not be made the owner's only, or null (logged at start).</summary>
    public string? PermissionProblem { get; }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            topic_prefixes TEXT NOT NULL DEFAULT '',
            created_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time_ms INTEGER NOT NULL,
            user TEXT NOT NULL,
            client_id TEXT NOT NULL,
            origin TEXT NOT NULL,
            topic TEXT NOT NULL,
            payload TEXT NOT NULL,
            ok INTEGER NOT NULL,
            result TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS audit_time ON audit(time_ms);
        """;

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=5000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
