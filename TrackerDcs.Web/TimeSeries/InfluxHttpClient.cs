using System.Net.Http.Headers;
using System.Text;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>The HTTP client of every InfluxDB v1 peer (writer, history, runs): the server as base address, and Basic authentication when a user is set.</summary>
public static class InfluxHttpClient
{
    public static HttpClient Create(string url, TimeSpan timeout, string user, string password)
    {
        var http = new HttpClient { Timeout = timeout };
        if (Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseAddress)) http.BaseAddress = baseAddress;
        if (user != "")
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return http;
    }
}
