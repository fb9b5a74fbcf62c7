using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Core.Exceptions;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// The v2 write API through InfluxDB.Client (InfluxDB 2.x, 3.x, and 1.8+ through its compatibility
/// endpoint): org, bucket, token, gzip if configured. Points are built with the client library's PointData; same
/// outcomes as the v1 sink; the client's exceptions are mapped here.
/// </summary>
public sealed class InfluxV2Sink : IInfluxSink
{
    private readonly InfluxDBClient _client;
    private readonly WriteApiAsync _write;
    private readonly InfluxOptions _options;

    public InfluxV2Sink(InfluxOptions options)
    {
        _options = options;
        _client = new InfluxDBClient(new InfluxDBClientOptions(options.Url)
        {
            Token = options.Token,
            Org = options.Org,
            Bucket = options.Bucket,
            Timeout = options.Timeout,
        });
        if (options.Gzip) _client.EnableGzip();
        _write = _client.GetWriteApiAsync();
        Describe = $"InfluxDB v2 {options.Url} org {options.Org} bucket {options.Bucket}";
    }

    public string Describe { get; }

    public InfluxDBClient Client => _client;

    /// <summary>The client library's point type makes the line, as the v2 API's users expect of it.</summary>
    public void Append(LineBatch batch, TimePoint point)
    {
        if (point.ToLineProtocol() is { Length: > 0 } line) batch.Add(line);
    }

    public bool AppendsLineProtocol => false;

    public async Task<WriteOutcome> WriteAsync(LineBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await _write.WriteRecordsAsync(batch.Lines(), WritePrecision.Ms, _options.Bucket, _options.Org, cancellationToken);
            return WriteOutcome.Written;
        }
        catch (BadRequestException e)
        {
            return new WriteOutcome(WriteResult.Rejected, $"400 {e.Message}");
        }
        catch (HttpException e)
        {
            return new WriteOutcome(WriteResult.Retry, $"{e.Status} {e.Message}", e.RetryAfter is { } s ? TimeSpan.FromSeconds(s) : null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new WriteOutcome(WriteResult.Retry, e.Message);
        }
    }

    public void Dispose() => _client.Dispose();
}
