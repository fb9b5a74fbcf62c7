using Microsoft.Data.Sqlite;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>What one maintenance pass did, for the log.</summary>
public readonly record struct MaintenanceResult(int ChunksRolledUp, long RawRowsPruned, long RollupRowsPruned);

public sealed partial class EmbeddedStore
{
    /// <summary>
    /// Rolls up every chunk that has ended since the last pass, then prunes. Crash-safe and idempotent: each chunk is
    /// one transaction that writes its blobs (replacing any) and advances the rolled-up mark, and a chunk's blobs are
    /// computed from its raw readings only, so a pass repeated after a crash writes the same blobs. Raw readings are
    /// deleted only once their chunk is rolled up, rollups once they are past their retention.
    /// </summary>
    public MaintenanceResult Maintain()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using var connection = _database.Open();
        var series = AllSeries(connection);
        var rolledUpTo = State(connection, RolledUpToKey) ?? FirstChunk(connection, series);
        if (rolledUpTo is null) return default;
        var rawFrom = State(connection, RawFromKey) ?? long.MinValue;
        long late;
        lock (_gate) (late, _lateFromMs) = (_lateFromMs, long.MaxValue);
        var chunks = 0;
        // Chunks behind the mark that got late readings, while all their raw readings are still there.
        if (late < rolledUpTo)
            for (var chunk = Math.Max(FloorChunk(late), rawFrom); chunk < rolledUpTo; chunk += _chunkMs, chunks++)
                RollUp(connection, series, chunk, advance: false);
        // A chunk is rolled up one interval after it ends: the writer's last batch of it has arrived by then.
        var end = FloorChunk(now - _intervalMs);
        for (var chunk = rolledUpTo.Value; chunk < end; chunks++)
        {
            RollUp(connection, series, chunk, advance: true);
            // Over a stand that was off for weeks, straight to the next chunk with readings.
            chunk = Math.Max(chunk + _chunkMs, Math.Min(NextReading(connection, series, chunk + _chunkMs) is { } next ? FloorChunk(next) : end, end));
        }
        var rolled = Math.Max(rolledUpTo.Value, end);
        // The chunks skipped had no readings: they are done too.
        if (rolled > rolledUpTo.Value) WithTransaction(connection, () => SetState(connection, RolledUpToKey, rolled));

        var rawCut = Math.Min(FloorChunk(now - (long)_rawRetention.TotalMilliseconds), rolled);
        var rawPruned = rawCut > rawFrom ? Prune(connection, series, "DELETE FROM ts_raw WHERE sid = $s AND time_ms < $cut", rawCut) : 0;
        if (rawCut > rawFrom) WithTransaction(connection, () => SetState(connection, RawFromKey, rawCut));
        // A chunk goes once all of it is past the retention.
        var rollupCut = FloorChunk(now - (long)_options.RollupRetention.TotalMilliseconds) - _chunkMs;
        var rollupPruned = Prune(connection, series, "DELETE FROM ts_rollup WHERE sid = $s AND chunk_ms <= $cut", rollupCut);
        return new MaintenanceResult(chunks, rawPruned, rollupPruned);
    }

    /// <summary>Where rolling up starts on a store that has never done it: the chunk of its oldest reading.</summary>
    private long? FirstChunk(SqliteConnection connection, List<(long Id, string Measurement, string Series, string Field)> series)
    {
        long? oldest = null;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT min(time_ms) FROM ts_raw WHERE sid = $s";
        var sid = command.Parameters.Add("$s", SqliteType.Integer);
        foreach (var s in series)
        {
            sid.Value = s.Id;
            if (command.ExecuteScalar() is long t) oldest = Math.Min(oldest ?? t, t);
        }
        return oldest is { } o ? FloorChunk(o) : null;
    }

    private static long? NextReading(SqliteConnection connection, List<(long Id, string Measurement, string Series, string Field)> series, long fromMs)
    {
        long? next = null;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT min(time_ms) FROM ts_raw WHERE sid = $s AND time_ms >= $from";
        var sid = command.Parameters.Add("$s", SqliteType.Integer);
        command.Parameters.AddWithValue("$from", fromMs);
        foreach (var s in series)
        {
            sid.Value = s.Id;
            if (command.ExecuteScalar() is long t) next = Math.Min(next ?? t, t);
        }
        return next;
    }

    private void RollUp(SqliteConnection connection, List<(long Id, string Measurement, string Series, string Field)> series, long chunk, bool advance)
    {
        using var transaction = connection.BeginTransaction();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT time_ms, value FROM ts_raw WHERE sid = $s AND time_ms >= $from AND time_ms < $to ORDER BY time_ms";
        var sid = select.Parameters.Add("$s", SqliteType.Integer);
        select.Parameters.AddWithValue("$from", chunk);
        select.Parameters.AddWithValue("$to", chunk + _chunkMs);
        using var write = connection.CreateCommand();
        write.CommandText = "INSERT OR REPLACE INTO ts_rollup (sid, chunk_ms, data) VALUES ($s, $c, $d)";
        var (writeSid, data) = (write.Parameters.Add("$s", SqliteType.Integer), write.Parameters.Add("$d", SqliteType.Blob));
        write.Parameters.AddWithValue("$c", chunk);
        var slots = new List<RollupSlot>();
        foreach (var s in series)
        {
            sid.Value = s.Id;
            slots.Clear();
            using (var reader = select.ExecuteReader())
            {
                var slot = default(RollupSlot);
                var sum = 0.0;
                while (reader.Read())
                {
                    var (time, value) = (reader.GetInt64(0), reader.GetDouble(1));
                    var start = time - (time - chunk) % _intervalMs;
                    if (slot.Count > 0 && slot.StartMs != start)
                    {
                        slots.Add(slot with { Mean = sum / slot.Count });
                        slot = default;
                    }
                    if (slot.Count == 0) (slot, sum) = (new RollupSlot(start, 0, value, value, value, value, 0), 0);
                    slot = slot with { Count = slot.Count + 1, Min = Math.Min(slot.Min, value), Max = Math.Max(slot.Max, value), Last = value };
                    sum += value;
                }
                if (slot.Count > 0) slots.Add(slot with { Mean = sum / slot.Count });
            }
            if (slots.Count == 0) continue;
            (writeSid.Value, data.Value) = (s.Id, RollupChunk.Encode(chunk, _intervalMs, slots));
            write.ExecuteNonQuery();
        }
        if (advance) SetState(connection, RolledUpToKey, chunk + _chunkMs);
        transaction.Commit();
    }

    /// <summary>One statement per signal (its primary key bounds the delete), each in its own short transaction.</summary>
    private static long Prune(SqliteConnection connection, List<(long Id, string Measurement, string Series, string Field)> series, string sql, long cut)
    {
        long pruned = 0;
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var sid = command.Parameters.Add("$s", SqliteType.Integer);
        command.Parameters.AddWithValue("$cut", cut);
        foreach (var s in series)
        {
            sid.Value = s.Id;
            pruned += command.ExecuteNonQuery();
        }
        return pruned;
    }

    private static void WithTransaction(SqliteConnection connection, Action action)
    {
        using var transaction = connection.BeginTransaction();
        action();
        transaction.Commit();
    }
}
