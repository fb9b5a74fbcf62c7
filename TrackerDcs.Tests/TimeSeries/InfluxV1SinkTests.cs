using System.IO.Compression;
using System.Net;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

/// <summary>
/// The v1 sink's answers that influxd 1.6.7 does not give on demand (503 with Retry-After, 401), from an
/// HttpListener standing in for the server (a hand-written fake), and the request it sends.
/// </summary>
public sealed class InfluxV1SinkTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _port = FreePort.Tcp();

    public InfluxV1SinkTests()
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
    }

    private async Task<(HttpListenerRequest Request, string Body)> AnswerAsync(int status, string? retryAfter = null, string body = "")
    {
        var context = await _listener.GetContextAsync();
        var input = context.Request.Headers["Content-Encoding"] == "gzip"
            ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress)
            : context.Request.InputStream;
        var received = await new StreamReader(input).ReadToEndAsync();
        context.Response.StatusCode = status;
        if (retryAfter is not null) context.Response.Headers["Retry-After"] = retryAfter;
        await context.Response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(body));
        context.Response.Close();
        return (context.Request, received);
    }

    private InfluxV1Sink Sink(bool gzip = false) => new(new InfluxOptions
    {
        Api = InfluxApi.V1, Url = $"http://127.0.0.1:{_port}", Database = "stand 1", RetentionPolicy = "week", User = "writer", Password = "secret", Gzip = gzip,
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Writes_line_protocol_gzip_if_configured_with_database_retention_policy_and_basic_auth(bool gzip)
    {
        using var sink = Sink(gzip);
        using var batch = LineBatch.Of(["a v=1 1", "b v=2 2"]);
        var write = sink.WriteAsync(batch, CancellationToken.None);
        var (request, body) = await AnswerAsync(204);
        Assert.Equal(WriteResult.Written, (await write).Result);
        Assert.Equal("/write?db=stand%201&precision=ms&rp=week", request.Url!.PathAndQuery);
        Assert.Equal(gzip ? "gzip" : null, request.Headers["Content-Encoding"]);
        Assert.Equal("Basic " + Convert.ToBase64String("writer:secret"u8.ToArray()), request.Headers["Authorization"]);
        Assert.Equal("a v=1 1\nb v=2 2\n", body);
    }

    [Fact]
    public async Task Overload_is_retried_after_the_servers_delay_and_a_bad_request_is_a_rejection()
    {
        using var sink = Sink();
        var write = sink.WriteAsync(LineBatch.Of(["a v=1 1"]), CancellationToken.None);
        await AnswerAsync(503, retryAfter: "12");
        var outcome = await write;
        Assert.Equal((WriteResult.Retry, TimeSpan.FromSeconds(12)), (outcome.Result, outcome.RetryAfter));

        write = sink.WriteAsync(LineBatch.Of(["a v=1 1"]), CancellationToken.None);
        await AnswerAsync(401, body: """{"error":"authorization failed"}""");
        outcome = await write;
        Assert.Equal(WriteResult.Retry, outcome.Result);
        Assert.Contains("authorization failed", outcome.Reason);

        write = sink.WriteAsync(LineBatch.Of(["a v="]), CancellationToken.None);
        await AnswerAsync(400, body: """{"error":"unable to parse 'a v=': missing field value"}""");
        outcome = await write;
        Assert.Equal(WriteResult.Rejected, outcome.Result);
        Assert.Contains("missing field value", outcome.Reason);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_retry_not_an_exception()
    {
        _listener.Stop();
        using var sink = Sink();
        var outcome = await sink.WriteAsync(LineBatch.Of(["a v=1 1"]), CancellationToken.None);
        Assert.Equal(WriteResult.Retry, outcome.Result);
    }

    public void Dispose() => _listener.Close();
}
