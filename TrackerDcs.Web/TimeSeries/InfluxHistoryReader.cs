using System.Globalization;
using System.Text;
using System.Text.Json;
using InfluxDB.Client;
using TrackerDcs.Web.History;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// History from InfluxDB, decimated by the server: min, max and last per bucket. InfluxQL over
/// <c>/query</c> for the v1 API (as Grafana asks), Flux through InfluxDB.Client for v2.
/// </summary>
public sealed partial class InfluxHistoryReader(InfluxOptions options, InfluxDBClient? v2Client) : IHistoryReader, IDisposable
{
    private readonly HttpClient _http = InfluxHttpClient.Create(options.Url, options.Timeout, options.User, options.Password);

    public async Task<IReadOnlyList<HistoryBucket>> ReadAsync(string measurement, IReadOnlyDictionary<string, string> tags, string field,
        DateTimeOffset from, DateTimeOffset to, int buckets, CancellationToken cancellationToken)
    {
        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        if (buckets < 1 || toMs <= fromMs) return [];
        var width = Math.Max(1, (toMs - fromMs + buckets - 1) / buckets);
        return options.Api == InfluxApi.V2 && v2Client is not null
            ? await ReadFluxAsync(measurement, tags, field, fromMs, toMs, width, cancellationToken)
            : await ReadInfluxQlAsync(measurement, tags, field, fromMs, toMs, width, cancellationToken);
    }

    /// <summary>The InfluxQL of one decimated series; GROUP BY time with an offset so buckets start at <paramref name="fromMs"/>.</summary>
    public static string InfluxQl(string measurement, IReadOnlyDictionary<string, string> tags, string field, long fromMs, long toMs, long width)
    {
        var where = new StringBuilder($"time >= {fromMs}ms AND time < {toMs}ms");
        foreach (var (key, value) in tags) where.Append($" AND {Identifier(key)} = '{value.Replace("\\", "\\\\").Replace("'", "\\'")}'");
        var f = Identifier(field);
        return $"SELECT min({f}), max({f}), last({f}) FROM {Identifier(measurement)} WHERE {where} GROUP BY time({width}ms, {fromMs % width}ms) fill(none)";
    }

    private async Task<IReadOnlyList<HistoryBucket>> ReadInfluxQlAsync(string measurement, IReadOnlyDictionary<string, string> tags, string field,
        long fromMs, long toMs, long width, CancellationToken cancellationToken)
    {
        var query = $"query?db={Uri.EscapeDataString(options.Database)}&epoch=ms&q={Uri.EscapeDataString(InfluxQl(measurement, tags, field, fromMs, toMs, width))}";
        if (options.RetentionPolicy != "") query += $"&rp={Uri.EscapeDataString(options.RetentionPolicy)}";
        using var response = await _http.GetAsync(query, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"InfluxDB query failed: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        var result = new List<HistoryBucket>();
        foreach (var statement in document.RootElement.GetProperty("results").EnumerateArray())
        {
            if (statement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"InfluxDB query failed: {error.GetString()}");
            if (!statement.TryGetProperty("series", out var series)) continue;
            foreach (var s in series.EnumerateArray())
                foreach (var row in s.GetProperty("values").EnumerateArray())
                    result.Add(new HistoryBucket(DateTimeOffset.FromUnixTimeMilliseconds(row[0].GetInt64()),
                        row[1].GetDouble(), row[2].GetDouble(), row[3].GetDouble()));
        }
        return result;
    }

    private async Task<IReadOnlyList<HistoryBucket>> ReadFluxAsync(string measurement, IReadOnlyDictionary<string, string> tags, string field,
        long fromMs, long toMs, long width, CancellationToken cancellationToken)
    {
        var filter = new StringBuilder($"r._measurement == {FluxString(measurement)} and r._field == {FluxString(field)}");
        foreach (var (key, value) in tags) filter.Append($" and r[{FluxString(key)}] == {FluxString(value)}");
        var start = DateTimeOffset.FromUnixTimeMilliseconds(fromMs).ToString("O", CultureInfo.InvariantCulture);
        var stop = DateTimeOffset.FromUnixTimeMilliseconds(toMs).ToString("O", CultureInfo.InvariantCulture);
        var buckets = new SortedDictionary<long, (double Min, double Max, double Last)>();
        foreach (var fn in new[] { "min", "max", "last" })
        {
            var flux = $"""
                from(bucket: {FluxString(options.Bucket)})
                  |> range(start: {start}, stop: {stop})
                  |> filter(fn: (r) => {filter})
                  |> group()
                  |> aggregateWindow(every: {width}ms, offset: {fromMs % width}ms, fn: {fn}, createEmpty: false, timeSrc: "_start")
                """;
            foreach (var table in await v2Client!.GetQueryApi().QueryAsync(flux, options.Org, cancellationToken))
                foreach (var record in table.Records)
                {
                    var time = record.GetTimeInDateTime()!.Value;
                    var key = new DateTimeOffset(time, TimeSpan.Zero).ToUnixTimeMilliseconds();
                    var value = Convert.ToDouble(record.GetValue(), CultureInfo.InvariantCulture);
                    var b = buckets.TryGetValue(key, out var old) ? old : (Min: value, Max: value, Last: value);
                    buckets[key] = fn switch { "min" => b with { Min = value }, "max" => b with { Max = value }, _ => b with { Last = value } };
                }
        }
        return buckets.Select(b => new HistoryBucket(DateTimeOffset.FromUnixTimeMilliseconds(b.Key), b.Value.Min, b.Value.Max, b.Value.Last)).ToList();
    }

    private static string Identifier(string name) => $"\"{name.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";

    private static string FluxString(string value) => JsonSerializer.Serialize(value);

    public void Dispose() => _http.Dispose();
}
