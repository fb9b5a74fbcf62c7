using System.Text.Json.Nodes;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// The conditions of a time window from the measurements the time-series writer keeps (docs/architecture.md "InfluxDB
/// schema"): every point of dcs_status, channels, chiller and sensors between the two instants, as rows of
/// column name → value, at most <see cref="RowLimit"/> per series so a reply fits an MQTT message.
/// </summary>
public sealed class InfluxConditionsQuery(InfluxDbHttp influx) : IConditionsQuery
{
    public const int RowLimit = 500;
    private static readonly string[] Measurements = ["dcs_status", "channels", "chiller", "sensors"];

    public async Task<JsonObject> QueryAsync(long fromMs, long toMs, CancellationToken ct = default)
    {
        var from = string.Join(',', Measurements.Select(m => $"\"{m}\""));
        var results = await influx.QueryAsync($"SELECT * FROM {from} WHERE time >= {fromMs}ms AND time <= {toMs}ms LIMIT {RowLimit}", ct);
        var conditions = new JsonObject();
        foreach (var measurement in Measurements) conditions[measurement] = new JsonArray();
        foreach (var series in results.SelectMany(r => r?["series"] as JsonArray ?? []))
        {
            if (series?["name"]?.GetValue<string>() is not { } name || conditions[name] is not JsonArray rows) continue;
            var columns = series["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray();
            foreach (var values in series["values"]?.AsArray() ?? [])
            {
                var row = new JsonObject();
                for (var i = 0; i < columns.Length; i++)
                    if (values![i] is { } value) row[columns[i]] = value.DeepClone();
                rows.Add(row);
            }
        }
        return conditions;
    }
}
