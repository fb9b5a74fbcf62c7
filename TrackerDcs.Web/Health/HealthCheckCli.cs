namespace TrackerDcs.Web.Health;

/// <summary>
/// `TrackerDcs healthcheck [url]`: the container's HEALTHCHECK. The runtime image has no curl, and the
/// certificate may be self-signed, so the process checks itself (any certificate: it only asks "are you up").
/// </summary>
public static class HealthCheckCli
{
    /// <param name="httpsPort">Endpoints:HttpsPort, where the process serves /healthz unless a URL is given.</param>
    public static async Task<int> RunAsync(string[] args, int httpsPort)
    {
        var url = args.FirstOrDefault() ?? $"https://127.0.0.1:{httpsPort}/healthz";
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var response = await client.GetAsync(url);
            Console.WriteLine($"{url}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"{url}: {e.Message}");
            return 1;
        }
    }
}
