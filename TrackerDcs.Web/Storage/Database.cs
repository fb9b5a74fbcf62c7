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
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, Schema);
    }

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
