using Microsoft.Data.Sqlite;
using TrackerDcs.Web.History;

namespace TrackerDcs.Web.TimeSeries;

public sealed partial class EmbeddedStore
{
    /// <summary>A longer time without readings breaks a trend's line: the stand was off, or its writer was.</summary>
    public static readonly TimeSpan GapAfter = TimeSpan.FromMinutes(2);

    public Task<IReadOnlyList<SignalId>> SignalsAsync(CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        IReadOnlyList<SignalId> signals = [.. AllSeries(connection).Select(s => new SignalId(s.Measurement, s.Field, ParseSeries(s.Series)))];
        return Task.FromResult(signals);
    }

    /// <summary>
    /// The signal's tags select series as a filter: <c>channels.hv_iMon[id=0]</c> is channel 0 whatever module it had.
    /// Several matching series are read as one, in time order.
    /// </summary>
    public Task<TrendSeries> ReadAsync(SignalId signal, DateTimeOffset from, DateTimeOffset to, int width, CancellationToken cancellationToken)
    {
        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        var decimator = new M4Decimator(fromMs, toMs, width, (long)GapAfter.TotalMilliseconds, _intervalMs);
        if (toMs <= fromMs || width < 1) return Task.FromResult(decimator.Finish());
        using var connection = _database.Open();
        var sids = Matching(connection, signal.Measurement, signal.Field, signal.Tags);
        void Slot(RollupSlot s) => decimator.AddSummary(s.StartMs, s.StartMs + _intervalMs - 1, s.First, s.Min, s.Max, s.Last);
        if (sids.Count == 1) Visit(connection, sids[0], fromMs, toMs, decimator.BucketMs, decimator.Add, Slot, cancellationToken);
        else if (sids.Count > 1)
        {
            var merged = new List<(long Time, RollupSlot? Slot, double Value)>();
            foreach (var sid in sids)
                Visit(connection, sid, fromMs, toMs, decimator.BucketMs, (t, v) => merged.Add((t, null, v)), s => merged.Add((s.StartMs, s, 0)), cancellationToken);
            foreach (var (time, slot, value) in merged.OrderBy(m => m.Time))
                if (slot is { } s) Slot(s);
                else decimator.Add(time, value);
        }
        return Task.FromResult(decimator.Finish());
    }

    private List<long> Matching(SqliteConnection connection, string measurement, string field, IEnumerable<KeyValuePair<string, string>> tags) =>
        [.. AllSeries(connection).Where(s => s.Measurement == measurement && s.Field == field)
            .Where(s => ParseSeries(s.Series) is var pairs && tags.All(t => pairs.Contains(t))).Select(s => s.Id)];

    /// <summary>
    /// One signal's readings over [from, to) in time order: its rollup slots where a bucket spans at least one
    /// interval and they exist (up to the rolled-up mark), else its raw readings (from where they are complete).
    /// </summary>
    private void Visit(SqliteConnection connection, long sid, long fromMs, long toMs, long bucketMs,
        Action<long, double> raw, Action<RollupSlot> slot, CancellationToken cancellationToken)
    {
        var boundary = bucketMs >= _intervalMs
            ? State(connection, RolledUpToKey) ?? long.MinValue
            : State(connection, RawFromKey) ?? long.MinValue;
        if (fromMs < boundary)
        {
            var end = Math.Min(toMs, boundary);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT chunk_ms, data FROM ts_rollup WHERE sid = $s AND chunk_ms > $from AND chunk_ms < $to ORDER BY chunk_ms";
            command.Parameters.AddWithValue("$s", sid);
            command.Parameters.AddWithValue("$from", fromMs - _chunkMs);
            command.Parameters.AddWithValue("$to", end);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var s in RollupChunk.Decode(reader.GetInt64(0), (byte[])reader.GetValue(1)))
                    if (s.StartMs + _intervalMs > fromMs && s.StartMs < end) slot(s);
            }
        }
        if (toMs > boundary)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT time_ms, value FROM ts_raw WHERE sid = $s AND time_ms >= $from AND time_ms < $to ORDER BY time_ms";
            command.Parameters.AddWithValue("$s", sid);
            command.Parameters.AddWithValue("$from", Math.Max(fromMs, boundary));
            command.Parameters.AddWithValue("$to", toMs);
            using var reader = command.ExecuteReader();
            var n = 0;
            while (reader.Read())
            {
                if ((++n & 0xffff) == 0) cancellationToken.ThrowIfCancellationRequested();
                raw(reader.GetInt64(0), reader.GetDouble(1));
            }
        }
    }

    private static List<KeyValuePair<string, string>> ParseSeries(string series) =>
        [.. series.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .Select(p => new KeyValuePair<string, string>(p[0], p[1]))];
}
