using System.Globalization;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Devices.Caen;

/// <summary>Who set a set point and when; a set point without one is channels.yml's.</summary>
public sealed record SetPointOrigin(string User, DateTimeOffset At);

/// <summary>
/// The operator's last LV and HV set points (V0Set, the only settings a command changes: dcs/cmd/setv/lv|hv/&lt;id&gt;),
/// kept in the data directory's database with who set them, when, and what channels.yml said then. Without it a
/// restart wrote the file's value to the crate: on real hardware a biased module could ramp to another voltage (issue 20).
/// <para>
/// The rule at start and at a reload of channels.yml (<see cref="Resolve"/>, docs/operating.md "Set points across a
/// restart"), for each channel and supply with a kept set point:
/// <list type="number">
/// <item>The channel is no longer in the file, or has no module: the kept value is dropped (logged).</item>
/// <item>The file's setV differs from the one it had when the operator set the value: the file was edited since, and
/// the edit is the newer decision. The file's value is written, the kept one dropped (logged as a warning).</item>
/// <item>The kept value is outside the file's current bounds (LV ovVThr; HV maxV, i.e. SVMax, and the boards'
/// rating): it is refused, the file's value is written, the kept one dropped (logged as a warning).</item>
/// <item>Otherwise the kept value is written instead of the file's, and the panel says who set it and when.</item>
/// </list>
/// </para>
/// </summary>
public sealed class CaenSetPoints
{
    private readonly Database _database;
    private readonly TimeProvider _time;
    private readonly ILogger<CaenSetPoints> _log;
    private readonly Lock _gate = new();
    private Dictionary<(string Id, PowerKind Kind), SetPointOrigin> _origins = [];

    public CaenSetPoints(Database database, TimeProvider time, ILogger<CaenSetPoints> log)
    {
        _database = database;
        _time = time;
        _log = log;
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS caen_setpoints (
                channel TEXT NOT NULL,
                supply TEXT NOT NULL,
                volts REAL NOT NULL,
                file_volts REAL NOT NULL,
                user TEXT NOT NULL,
                time_ms INTEGER NOT NULL,
                PRIMARY KEY (channel, supply));
            """;
        command.ExecuteNonQuery();
    }

    private sealed record Kept(string Id, PowerKind Kind, double Volts, double FileVolts, SetPointOrigin Origin);

    /// <summary>Who set this supply's set point in force, or null when it is channels.yml's.</summary>
    public SetPointOrigin? Origin(string id, PowerKind kind)
    {
        lock (_gate) return _origins.GetValueOrDefault((id, kind));
    }

    /// <summary>
    /// The kept set points that apply to this map (the rule in the class comment), for the driver to write instead of
    /// the file's; the others are dropped from the database and logged.
    /// </summary>
    public IReadOnlyDictionary<(string Id, PowerKind Kind), double> Resolve(ChannelMap map)
    {
        var applied = new Dictionary<(string, PowerKind), double>();
        var origins = new Dictionary<(string, PowerKind), SetPointOrigin>();
        foreach (var kept in ReadAll())
        {
            var (id, kind) = (kept.Id, kept.Kind);
            var supply = Name(kind).ToUpperInvariant();
            var setBy = $"{kept.Volts.ToString(CultureInfo.InvariantCulture)} V set by {kept.Origin.User} at {kept.Origin.At.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC";
            if (map.Find(id) is not { IsActive: true } channel)
            {
                _log.LogInformation("Channel {Id} {Supply}: {SetBy} dropped: {Map} has no module on that channel now", id, supply, setBy, map.Source);
                Delete(id, kind);
                continue;
            }
            var file = channel.Supply(kind).SetV;
            if (file != kept.FileVolts)
            {
                _log.LogWarning("Channel {Id} {Supply}: {Map} changed setV from {Before} V to {File} V since the {SetBy}: the file's {File} V is written",
                    id, supply, map.Source, kept.FileVolts, file, setBy, file);
                Delete(id, kind);
                continue;
            }
            if (CaenDevice.SetPointRefusal(channel, kind, kept.Volts) is { } refusal)
            {
                _log.LogWarning("Channel {Id} {Supply}: the {SetBy} is refused ({Refusal}): the file's {File} V is written",
                    id, supply, setBy, refusal, file);
                Delete(id, kind);
                continue;
            }
            _log.LogInformation("Channel {Id} {Supply}: the {SetBy} is written instead of {Map}'s {File} V", id, supply, setBy, map.Source, file);
            applied[(id, kind)] = kept.Volts;
            origins[(id, kind)] = kept.Origin;
        }
        lock (_gate) _origins = origins;
        return applied;
    }

    /// <summary>
    /// Keeps a set point the crate accepted, with the file's value it replaces (so an edit of the file made later is
    /// recognised). A database that cannot be written is reported: the crate holds the value, but a restart would not.
    /// </summary>
    public string? Keep(string id, PowerKind kind, double volts, double fileVolts, string user)
    {
        var origin = new SetPointOrigin(user, _time.GetUtcNow());
        try
        {
            _database.Write(connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = """
                    INSERT INTO caen_setpoints (channel, supply, volts, file_volts, user, time_ms)
                    VALUES ($channel, $supply, $volts, $file, $user, $time)
                    ON CONFLICT (channel, supply) DO UPDATE SET volts = $volts, file_volts = $file, user = $user, time_ms = $time
                    """;
                command.Parameters.AddWithValue("$channel", id);
                command.Parameters.AddWithValue("$supply", Name(kind));
                command.Parameters.AddWithValue("$volts", volts);
                command.Parameters.AddWithValue("$file", fileVolts);
                command.Parameters.AddWithValue("$user", user);
                command.Parameters.AddWithValue("$time", origin.At.ToUnixTimeMilliseconds());
                command.ExecuteNonQuery();
            });
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            _log.LogError(e, "Channel {Id} {Supply} set point {Volts} V is on the crate but could not be kept: a restart would write channels.yml's {File} V", id, Name(kind).ToUpperInvariant(), volts, fileVolts);
            lock (_gate) _origins.Remove((id, kind));
            return $"{volts} V is on the crate but could not be kept in the database ({e.Message}): a restart would write channels.yml's {fileVolts} V";
        }
        lock (_gate) _origins = new(_origins) { [(id, kind)] = origin };
        return null;
    }

    private List<Kept> ReadAll()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT channel, supply, volts, file_volts, user, time_ms FROM caen_setpoints ORDER BY channel, supply";
        using var reader = command.ExecuteReader();
        var all = new List<Kept>();
        while (reader.Read())
        {
            var kind = reader.GetString(1) == "lv" ? PowerKind.Lv : PowerKind.Hv;
            all.Add(new Kept(reader.GetString(0), kind, reader.GetDouble(2), reader.GetDouble(3),
                new SetPointOrigin(reader.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)))));
        }
        return all;
    }

    private void Delete(string id, PowerKind kind)
    {
        _database.Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM caen_setpoints WHERE channel = $channel AND supply = $supply";
            command.Parameters.AddWithValue("$channel", id);
            command.Parameters.AddWithValue("$supply", Name(kind));
            command.ExecuteNonQuery();
        });
    }

    private static string Name(PowerKind kind) => kind == PowerKind.Lv ? "lv" : "hv";
}
