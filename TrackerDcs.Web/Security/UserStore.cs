using Microsoft.Data.Sqlite;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Security;

/// <summary>Accounts in the embedded database. Only password hashes are stored.</summary>
public sealed class UserStore(Database database)
{
    public event Action<string>? Changed;

    public IReadOnlyList<UserAccount> List()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, role, topic_prefixes, created_ms FROM users ORDER BY name";
        using var reader = command.ExecuteReader();
        var users = new List<UserAccount>();
        while (reader.Read()) users.Add(Read(reader));
        return users;
    }

    public (UserAccount Account, string PasswordHash)? Find(string name)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, role, topic_prefixes, created_ms, password_hash FROM users WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (Read(reader), reader.GetString(4)) : null;
    }

    public void Add(string name, Role role, string password, IReadOnlyList<string>? topicPrefixes = null)
    {
        ValidateName(name);
        ValidatePassword(password);
        var prefixes = topicPrefixes ?? [];
        if (role == Role.Device && prefixes.Count == 0)
            throw new ArgumentException("a device account needs at least one topic prefix (e.g. ESP01/)");
        if (role != Role.Device && prefixes.Count > 0)
            throw new ArgumentException("topic prefixes are only for device accounts");
        var hash = PasswordHasher.Hash(password);
        try
        {
            database.Write(connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = """
                    INSERT INTO users (name, role, password_hash, topic_prefixes, created_ms)
                    VALUES ($name, $role, $hash, $prefixes, $created)
                    """;
                command.Parameters.AddWithValue("$name", name);
                command.Parameters.AddWithValue("$role", role.ToString().ToLowerInvariant());
                command.Parameters.AddWithValue("$hash", hash);
                command.Parameters.AddWithValue("$prefixes", string.Join('\n', prefixes));
                command.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                command.ExecuteNonQuery();
            });
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: primary key
        {
            throw new ArgumentException($"user '{name}' already exists");
        }
        Changed?.Invoke(name);
    }

    public void SetPassword(string name, string password)
    {
        ValidatePassword(password);
        Update(name, "UPDATE users SET password_hash = $value WHERE name = $name", PasswordHasher.Hash(password));
    }

    public void SetRole(string name, Role role)
    {
        if (role == Role.Device) throw new ArgumentException("an account cannot become a device; add a device account instead");
        // Demoting the last admin locks administration out as surely as removing it.
        if (role != Role.Admin) EnsureNotLastAdmin(name);
        Update(name, "UPDATE users SET role = $value WHERE name = $name", role.ToString().ToLowerInvariant());
    }

    public void Remove(string name)
    {
        EnsureNotLastAdmin(name);
        Update(name, "DELETE FROM users WHERE name = $name", value: null);
    }

    private void EnsureNotLastAdmin(string name)
    {
        if (Find(name) is { Account.Role: Role.Admin } && List().Count(u => u.Role == Role.Admin) == 1)
            throw new ArgumentException($"'{name}' is the last admin; add another admin first");
    }

    public bool IsEmpty()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM users";
        return (long)command.ExecuteScalar()! == 0;
    }

    private void Update(string name, string sql, string? value)
    {
        var changed = database.Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$name", name);
            if (value is not null) command.Parameters.AddWithValue("$value", value);
            return command.ExecuteNonQuery();
        });
        if (changed == 0) throw new ArgumentException($"no user '{name}'");
        Changed?.Invoke(name);
    }

    private static UserAccount Read(SqliteDataReader reader)
    {
        RoleExtensions.TryParse(reader.GetString(1), out var role);
        var prefixes = reader.GetString(2).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return new UserAccount(reader.GetString(0), role, prefixes, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw new ArgumentException($"user name '{name}' must be 1–64 letters, digits, '_', '-' or '.'");
    }

    private static void ValidatePassword(string password)
    {
        if (password.Length < 8) throw new ArgumentException("a password needs at least 8 characters");
    }
}
