using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace TrackerDcs.Bench;

/// <summary>
/// Reads the site instance's read model as its pages do, through GET /api/site/stands (the same <c>SiteStands.View</c>
/// the Site page renders), every <see cref="Interval"/>. A stand's heartbeatAt that differs from the last one read is a
/// heartbeat that reached the site. It reached the read model after the previous request was sent (that answer did not
/// show it) and before this answer arrived: an upper bound, late by up to one interval plus one request. The exact moment
/// is in the answer too: the stand's lastHeard, the site's clock when its read model took the stand's newest message.
/// The simulated stand sends nothing after its heartbeat for most of a second, so while the heartbeat is seen within
/// <see cref="LastHeardHolds"/> of its time, lastHeard is the heartbeat's arrival (the site and the bench share the
/// machine's clock).
/// </summary>
public sealed class SiteStandsPoller(TrackerDcsBroker site) : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan LastHeardHolds = TimeSpan.FromMilliseconds(800);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, DateTimeOffset> _last = [];
    private HttpClient? _http;
    private Task _running = Task.CompletedTask;

    /// <summary>
    /// Each heartbeat seen in the read model: the stand's time in it, the moment the answer showing it arrived, and the
    /// stand's lastHeard in that answer (the heartbeat's arrival in the read model while seen within <see cref="LastHeardHolds"/>).
    /// </summary>
    public ConcurrentQueue<(DateTimeOffset Beat, DateTimeOffset Seen, DateTimeOffset LastHeard)> Beats { get; } = new();

    /// <summary>The duration of every request, in ms (what one read of the whole site costs from outside).</summary>
    public ConcurrentQueue<double> RequestMs { get; } = new();

    /// <summary>Stands in the last answer.</summary>
    public int Stands { get; private set; }

    public long Errors { get; private set; }

    public void Start()
    {
        // Loopback, and the site instance's own self-signed certificate, exactly that one.
        var trusted = X509CertificateLoader.LoadCertificateFromFile(site.CertificatePem);
        _http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    certificate is not null && (errors == SslPolicyErrors.None || certificate.GetCertHashString() == trusted.GetCertHashString()),
            },
        }) { BaseAddress = new Uri($"https://localhost:{site.HttpsPort}"), Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", site.AdminBasicCredentials);
        _running = RunAsync(_stop.Token);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                var sent = DateTimeOffset.UtcNow;
                try
                {
                    await using var body = await _http!.GetStreamAsync("/api/site/stands", ct);
                    using var view = await JsonDocument.ParseAsync(body, cancellationToken: ct);
                    var seen = DateTimeOffset.UtcNow;
                    RequestMs.Enqueue((seen - sent).TotalMilliseconds);
                    var stands = 0;
                    foreach (var stand in view.RootElement.GetProperty("stands").EnumerateArray())
                    {
                        stands++;
                        // Null until the stand's first heartbeat (its chiller's status may come first).
                        if (stand.GetProperty("heartbeatAt") is not { ValueKind: JsonValueKind.String } at || !at.TryGetDateTimeOffset(out var beat)) continue;
                        var name = stand.GetProperty("name").GetString()!;
                        if (_last.TryGetValue(name, out var last) && last == beat) continue;
                        _last[name] = beat;
                        Beats.Enqueue((beat, seen, stand.GetProperty("lastHeard").GetDateTimeOffset()));
                    }
                    Stands = stands;
                }
                catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    Errors++;
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _http?.Dispose();
        _stop.Dispose();
    }
}
