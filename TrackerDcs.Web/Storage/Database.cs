using Microsoft.Data.Sqlite;

namespace TrackerDcs.Web.Storage;

/// <summary>
/// The embedded SQLite database in the data directory (users, audit log, runs, procedure runs, kept set points).
/// Each operation opens a pooled connection; WAL lets the panel read while a writer appends. Writes go through
/// <see cref="Write{T}"/>, which tells <see cref="StoreHealth"/> whether the database took them: a full disk is an
/// alarm whichever store meets it first.
/// </summary>
public sealed class Database
{
    private readonly string _connectionString;
    private readonly StoreHealth? _health;

    public Database(DataDirectory data, StoreHealth? health = null) : this(data.File("trackerdcs.db"), health) { }

    public Database(string path, StoreHealth? health = null)
    {
        _health = health;
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

    /// <summary>
    /// Runs one write on its own connection and reports to the store's health whether the database took it. A row the
    /// schema refuses (a duplicate key: SQLITE_CONSTRAINT) was refused for its content, not for want of a disk.
    /// </summary>
    public T Write<T>(Func<SqliteConnection, T> write)
    {
        T result;
        try
        {
            using var connection = Open();
            result = write(connection);
        }
        catch (Exception e) when (e is IOException || e is SqliteException { SqliteErrorCode: not SqliteConstraint })
        {
            _health?.Failed(StoreHealth.Database, e);
            throw;
        }
        _health?.Succeeded(StoreHealth.Database);
        return result;
    }

    private const int SqliteConstraint = 19;

    public void Write(Action<SqliteConnection> write) => Write(connection => { write(connection); return 0; });

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
