using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// InfluxDB v1's HTTP API, the part runs need: POST /write (line protocol, ms precision) and GET /query
/// (InfluxQL, epoch=ms). The database is created on first use where the user may (CREATE DATABASE is idempotent in 1.x).
/// </summary>
public sealed class InfluxDbHttp(HttpClient http, string database)
{
    private bool _created;

    public async Task WriteAsync(string lines, CancellationToken ct)
    {
        await EnsureDatabaseAsync(ct);
        using var response = await http.PostAsync($"write?db={Uri.EscapeDataString(database)}&precision=ms",
            new StringContent(lines, Encoding.UTF8, "text/plain"), ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"InfluxDB /write answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>The "results" array of the answer; an error of a statement becomes an exception.</summary>
    public async Task<JsonArray> QueryAsync(string influxQl, CancellationToken ct)
    {
        await EnsureDatabaseAsync(ct);
        using var response = await http.GetAsync($"query?db={Uri.EscapeDataString(database)}&epoch=ms&q={Uri.EscapeDataString(influxQl)}", ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
        if (!response.IsSuccessStatusCode || body?["error"] is not null)
            throw new HttpRequestException($"InfluxDB /query answered {(int)response.StatusCode}: {body?["error"]}");
        return body?["results"] as JsonArray ?? [];
    }

    private async Task EnsureDatabaseAsync(CancellationToken ct)
    {
        if (_created) return;
        using var response = await http.PostAsync("query",
            new FormUrlEncodedContent([new("q", $"CREATE DATABASE \"{database.Replace("\"", "\\\"")}\"")]), ct);
        // On a server with authentication only an admin may create databases: for any other user the database is
        // expected to exist (the compose deployment's InfluxDB creates it), and a write or query says so if it does not.
        if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)) response.EnsureSuccessStatusCode();
        _created = true;
    }
}
