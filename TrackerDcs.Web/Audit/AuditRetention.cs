using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Audit;

/// <summary>
/// Deletes the audit entries older than <see cref="AuditOptions.RetentionDays"/>: at start, then every hour, on the
/// process's clock. In slices, so a first prune of a large old log never holds the database's write lock for long
/// (a command waiting to be audited waits at most one slice).
/// </summary>
public sealed class AuditRetention(Database database, AuditOptions options, TimeProvider time, ILogger<AuditRetention> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private const int Slice = 10_000;

    /// <summary>Deletes every entry older than the retention; returns how many.</summary>
    public int Prune()
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.RetentionDays);
        var total = 0;
        using var connection = database.Open();
        while (true)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE time_ms < $cutoff LIMIT $slice)";
            command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$slice", Slice);
            var deleted = command.ExecuteNonQuery();
            total += deleted;
            if (deleted < Slice) break;
        }
        if (total > 0)
            log.LogInformation("Deleted {Count} audit entries older than {Days} days (Audit:RetentionDays)", total, options.RetentionDays);
        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                Prune();
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                // The log keeps growing until the next try; nothing else depends on the prune.
                log.LogError("Could not prune the audit log: {Error}", e.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
