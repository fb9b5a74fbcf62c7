using System.Globalization;
using System.Text;
using System.Text.Json;
using InfluxDB.Client;
using TrackerDcs.Web.History;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// The trend charts' reads from InfluxDB. A range with few readings comes back raw (one query, limited to one more
/// reading than a chart of this width keeps); otherwise InfluxDB decimates it itself, M4 style: first, min, max and
/// last per pixel column (<c>GROUP BY time(column)</c>), so a 30-day range costs InfluxDB one aggregate query and
/// the network at most 4 × width values.
/// </summary>
public sealed class InfluxHistoryReader(InfluxOptions options, InfluxDBClient? v2Client) : ITrendStore, IDisposable
{
    private readonly HttpClient _http = InfluxHttpClient.Create(options.Url, options.Timeout, options.User, options.Password);

    /// <summary>A longer time without readings breaks a trend's line.</summary>
    private static readonly long GapMs = (long)EmbeddedStore.GapAfter.TotalMilliseconds;
    private static readonly HashSet<string> FluxColumns = ["result", "table", "_start", "_stop", "_time", "_value", "_field", "_measurement"];

    public string Kind => "influxdb";

    public async Task<IReadOnlyList<SignalId>> SignalsAsync(CancellationToken cancellationToken)
    {
        if (options.Api == InfluxApi.V2 && v2Client is not null)
        {
            // Every numeric field of every series written in the last 400 days, with its tags, from its last record.
            var flux = $"""
                import "types"
                from(bucket: {FluxString(options.Bucket)})
                  |> range(start: -400d)
                  |> filter(fn: (r) => types.isNumeric(v: r._value))
                  |> last()
                """;
            var signals = new List<SignalId>();
            foreach (var table in await v2Client.GetQueryApi().QueryAsync(flux, options.Org, cancellationToken))
                foreach (var record in table.Records)
                    signals.Add(new SignalId(record.GetMeasurement(), record.GetField(),
                        record.Values.Where(v => !FluxColumns.Contains(v.Key) && v.Value is string)
                            .Select(v => new KeyValuePair<string, string>(v.Key, (string)v.Value))));
            return [.. signals.Distinct()];
        }
        var numeric = new Dictionary<string, List<string>>();
        foreach (var series in (await InfluxQlAsync("SHOW FIELD KEYS", cancellationToken)).Series)
            numeric[series.Name] = [.. series.Rows.Where(r => r[1].GetString() is "float" or "integer").Select(r => r[0].GetString()!)];
        var result = new List<SignalId>();
        foreach (var series in (await InfluxQlAsync("SHOW SERIES", cancellationToken)).Series)
            foreach (var row in series.Rows)
            {
                // A series key is the line protocol's: measurement,tag=value,… with \, \= and \  escaped.
                var parts = SplitUnescaped(row[0].GetString()!, ',');
                if (!numeric.TryGetValue(parts[0], out var fields)) continue;
                var tags = parts.Skip(1).Select(p => SplitUnescaped(p, '=')).Where(p => p.Count == 2)
                    .Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();
                result.AddRange(fields.Select(f => new SignalId(parts[0], f, tags)));
            }
        return result;
    }

    public async Task<TrendSeries> ReadAsync(SignalId signal, DateTimeOffset from, DateTimeOffset to, int width, CancellationToken cancellationToken)
    {
        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        var decimator = new M4Decimator(fromMs, toMs, width, GapMs);
        if (toMs <= fromMs || width < 1) return decimator.Finish();
        var keep = 4 * width;
        var v2 = options.Api == InfluxApi.V2 && v2Client is not null;
        var raw = v2 ? await RawFluxAsync(signal, fromMs, toMs, keep + 1, cancellationToken) : await RawInfluxQlAsync(signal, fromMs, toMs, keep + 1, cancellationToken);
        if (raw.Count <= keep)
            foreach (var (time, value) in raw) decimator.Add(time, value);
        else
        {
            var bucket = decimator.BucketMs;
            var columns = v2 ? await M4FluxAsync(signal, fromMs, toMs, bucket, cancellationToken) : await M4InfluxQlAsync(signal, fromMs, toMs, bucket, cancellationToken);
            foreach (var c in columns) decimator.AddSummary(c.Start, c.Start + bucket - 1, c.First, c.Min, c.Max, c.Last);
        }
        return decimator.Finish();
    }

    /// <summary>The InfluxQL of one signal's M4 columns: GROUP BY time with an offset so columns start at <paramref name="fromMs"/>.</summary>
    public static string M4InfluxQl(SignalId signal, long fromMs, long toMs, long bucketMs)
    {
        var f = Identifier(signal.Field);
        return $"SELECT first({f}), min({f}), max({f}), last({f}) FROM {Identifier(signal.Measurement)} WHERE {Where(signal, fromMs, toMs)} " +
               $"GROUP BY time({bucketMs}ms, {fromMs % bucketMs}ms) fill(none)";
    }

    private async Task<List<(long Time, double Value)>> RawInfluxQlAsync(SignalId signal, long fromMs, long toMs, int limit, CancellationToken cancellationToken)
    {
        var query = $"SELECT {Identifier(signal.Field)} FROM {Identifier(signal.Measurement)} WHERE {Where(signal, fromMs, toMs)} LIMIT {limit}";
        return [.. (await InfluxQlAsync(query, cancellationToken)).Series.SelectMany(s => s.Rows)
            .Where(r => r[1].ValueKind == JsonValueKind.Number).Select(r => (r[0].GetInt64(), r[1].GetDouble()))];
    }

    private async Task<List<(long Start, double First, double Min, double Max, double Last)>> M4InfluxQlAsync(SignalId signal, long fromMs, long toMs, long bucketMs,
        CancellationToken cancellationToken) =>
        [.. (await InfluxQlAsync(M4InfluxQl(signal, fromMs, toMs, bucketMs), cancellationToken)).Series.SelectMany(s => s.Rows)
            .Where(r => r[1].ValueKind == JsonValueKind.Number)
            .Select(r => (r[0].GetInt64(), r[1].GetDouble(), r[2].GetDouble(), r[3].GetDouble(), r[4].GetDouble()))];

    private static string Where(SignalId signal, long fromMs, long toMs)
    {
        var where = new StringBuilder($"time >= {fromMs}ms AND time < {toMs}ms");
        foreach (var (key, value) in signal.Tags) where.Append($" AND {Identifier(key)} = '{value.Replace("\\", "\\\\").Replace("'", "\\'")}'");
        return where.ToString();
    }

    private sealed record InfluxSeries(string Name, List<JsonElement[]> Rows);
    private sealed record InfluxResult(List<InfluxSeries> Series);

    private async Task<InfluxResult> InfluxQlAsync(string influxQl, CancellationToken cancellationToken)
    {
        var query = $"query?db={Uri.EscapeDataString(options.Database)}&epoch=ms&q={Uri.EscapeDataString(influxQl)}";
        if (options.RetentionPolicy != "") query += $"&rp={Uri.EscapeDataString(options.RetentionPolicy)}";
        using var response = await _http.GetAsync(query, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"InfluxDB query failed: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        var result = new InfluxResult([]);
        foreach (var statement in document.RootElement.GetProperty("results").EnumerateArray())
        {
            if (statement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"InfluxDB query failed: {error.GetString()}");
            if (!statement.TryGetProperty("series", out var series)) continue;
            foreach (var s in series.EnumerateArray())
                result.Series.Add(new InfluxSeries(s.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "",
                    [.. s.GetProperty("values").EnumerateArray().Select(row => row.EnumerateArray().Select(c => c.Clone()).ToArray())]));
        }
        return result;
    }

    private string FluxRange(SignalId signal, long fromMs, long toMs)
    {
        var filter = new StringBuilder($"r._measurement == {FluxString(signal.Measurement)} and r._field == {FluxString(signal.Field)}");
        foreach (var (key, value) in signal.Tags) filter.Append($" and r[{FluxString(key)}] == {FluxString(value)}");
        var start = DateTimeOffset.FromUnixTimeMilliseconds(fromMs).ToString("O", CultureInfo.InvariantCulture);
        var stop = DateTimeOffset.FromUnixTimeMilliseconds(toMs).ToString("O", CultureInfo.InvariantCulture);
        return $"""
            from(bucket: {FluxString(options.Bucket)})
              |> range(start: {start}, stop: {stop})
              |> filter(fn: (r) => {filter})
              |> group()
            """;
    }

    private async Task<List<(long Time, double Value)>> RawFluxAsync(SignalId signal, long fromMs, long toMs, int limit, CancellationToken cancellationToken)
    {
        var flux = FluxRange(signal, fromMs, toMs) + $"\n  |> sort(columns: [\"_time\"])\n  |> limit(n: {limit})";
        var points = new List<(long, double)>();
        foreach (var table in await v2Client!.GetQueryApi().QueryAsync(flux, options.Org, cancellationToken))
            foreach (var record in table.Records)
                points.Add((new DateTimeOffset(record.GetTimeInDateTime()!.Value, TimeSpan.Zero).ToUnixTimeMilliseconds(),
                    Convert.ToDouble(record.GetValue(), CultureInfo.InvariantCulture)));
        return points;
    }

    private async Task<List<(long Start, double First, double Min, double Max, double Last)>> M4FluxAsync(SignalId signal, long fromMs, long toMs, long bucketMs,
        CancellationToken cancellationToken)
    {
        var columns = new SortedDictionary<long, double[]>();
        string[] functions = ["first", "min", "max", "last"];
        for (var i = 0; i < functions.Length; i++)
        {
            var flux = FluxRange(signal, fromMs, toMs) +
                $"\n  |> aggregateWindow(every: {bucketMs}ms, offset: {fromMs % bucketMs}ms, fn: {functions[i]}, createEmpty: false, timeSrc: \"_start\")";
            foreach (var table in await v2Client!.GetQueryApi().QueryAsync(flux, options.Org, cancellationToken))
                foreach (var record in table.Records)
                {
                    var key = new DateTimeOffset(record.GetTimeInDateTime()!.Value, TimeSpan.Zero).ToUnixTimeMilliseconds();
                    if (!columns.TryGetValue(key, out var values)) columns[key] = values = new double[4];
                    values[i] = Convert.ToDouble(record.GetValue(), CultureInfo.InvariantCulture);
                }
        }
        return [.. columns.Select(c => (c.Key, c.Value[0], c.Value[1], c.Value[2], c.Value[3]))];
    }

    /// <summary>Splits at separators not escaped by a backslash, removing the escapes.</summary>
    private static List<string> SplitUnescaped(string text, char separator)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length) current.Append(text[++i]);
            else if (text[i] == separator)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else current.Append(text[i]);
        }
        parts.Add(current.ToString());
        return parts;
    }

    private static string Identifier(string name) => $"\"{name.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";

    private static string FluxString(string value) => JsonSerializer.Serialize(value);

    public void Dispose() => _http.Dispose();
}
