using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Core.Exceptions;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// The v2 write API through InfluxDB.Client (InfluxDB 2.x, 3.x, and 1.8+ through its compatibility
/// endpoint): org, bucket, token, gzip. Same outcomes as the v1 sink; the client's exceptions are mapped here.
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
        _client.EnableGzip();
        _write = _client.GetWriteApiAsync();
        Describe = $"InfluxDB v2 {options.Url} org {options.Org} bucket {options.Bucket}";
    }

    public string Describe { get; }

    public InfluxDBClient Client => _client;

    public async Task<WriteOutcome> WriteAsync(IReadOnlyList<string> lines, CancellationToken cancellationToken)
    {
        try
        {
            await _write.WriteRecordsAsync(lines, WritePrecision.Ms, _options.Bucket, _options.Org, cancellationToken);
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
