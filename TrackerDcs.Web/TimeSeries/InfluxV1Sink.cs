using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// InfluxDB 1.x HTTP write: <c>POST /write?db=&amp;rp=&amp;precision=ms</c>, the batch's bytes as they are (gzip if
/// configured), basic authentication.
/// 204 is success; 400 means malformed lines or a field type conflict (1.x writes the good lines of the batch
/// and names the bad one); anything else, including 404 "database not found" and 401, is retried: the
/// lines stay spooled until an operator fixes the server.
/// </summary>
public sealed class InfluxV1Sink : IInfluxSink
{
    private readonly HttpClient _http;
    private readonly Uri _write;
    private readonly Uri _query;
    private readonly string _database;
    private readonly bool _gzip;

    public InfluxV1Sink(InfluxOptions options)
    {
        _http = InfluxHttpClient.Create(options.Url, options.Timeout, options.User, options.Password);
        var query = $"db={Uri.EscapeDataString(options.Database)}&precision=ms";
        if (options.RetentionPolicy != "") query += $"&rp={Uri.EscapeDataString(options.RetentionPolicy)}";
        _write = new Uri(new Uri(options.Url.TrimEnd('/') + "/"), $"write?{query}");
        _query = new Uri(new Uri(options.Url.TrimEnd('/') + "/"), "query");
        _database = options.Database;
        _gzip = options.Gzip;
        Describe = $"InfluxDB v1 {options.Url} database {options.Database}";
    }

    public string Describe { get; }

    public async Task<WriteOutcome> WriteAsync(LineBatch batch, CancellationToken cancellationToken)
    {
        using HttpContent content = _gzip ? Compressed(batch) : new ReadOnlyMemoryContent(batch.Bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        try
        {
            using var response = await _http.PostAsync(_write, content, cancellationToken);
            if (response.IsSuccessStatusCode) return WriteOutcome.Written;
            var reason = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}".Trim();
            if (response.StatusCode == HttpStatusCode.BadRequest) return new WriteOutcome(WriteResult.Rejected, reason);
            // Telegraf created its database on a fresh server; so does the writer (needs the admin or a privileged user).
            if (response.StatusCode == HttpStatusCode.NotFound && reason.Contains("database not found") && await CreateDatabaseAsync(cancellationToken))
                return new WriteOutcome(WriteResult.Retry, reason, TimeSpan.Zero);
            return new WriteOutcome(WriteResult.Retry, reason, RetryAfter(response.Headers.RetryAfter));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new WriteOutcome(WriteResult.Retry, e.Message);
        }
    }

    private static ByteArrayContent Compressed(LineBatch batch)
    {
        var body = new MemoryStream();
        using (var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(batch.Bytes.Span);
        var content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length);
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    private async Task<bool> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var statement = $"CREATE DATABASE \"{_database.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";
        using var response = await _http.PostAsync(_query, new FormUrlEncodedContent(new Dictionary<string, string> { ["q"] = statement }), cancellationToken);
        return response.IsSuccessStatusCode;
    }

    /// <summary>RFC 9110 §10.2.3: seconds or an HTTP date.</summary>
    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    public void Dispose() => _http.Dispose();
}
