using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace TrackerDcs.Testing;

/// <summary>
/// Debian's influxd (1.6.7: the v1 HTTP API only, no /api/v2) on free loopback ports with its own temporary
/// config and directories; stoppable and restartable on the same data; killed on dispose.
/// </summary>
public sealed class InfluxServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-influxd-").FullName;
    private readonly string _config;
    private readonly StringBuilder _log = new();
    private Process? _process;
    private readonly (string User, string Password)? _admin;

    /// <param name="httpPort">A port chosen by the test (to start influxd where a stand already writes), else a free one.</param>
    /// <param name="admin">With authentication (auth-enabled): the admin created at the first start, whom this class then queries and writes as.</param>
    public InfluxServer(int? httpPort = null, (string User, string Password)? admin = null)
    {
        HttpPort = httpPort ?? FreePort.Tcp();
        _admin = admin;
        _config = Path.Combine(_directory, "influxdb.conf");
        File.WriteAllText(_config, Configuration(_directory, FreePort.Tcp(), HttpPort, authEnabled: admin is not null));
    }

    /// <summary>influxdb.conf (embedded from this project's folder, where bench/run-timeseries.sh reads it too) filled in.</summary>
    public static string Configuration(string directory, int rpcPort, int httpPort, bool authEnabled)
    {
        using var resource = typeof(InfluxServer).Assembly.GetManifestResourceStream("influxdb.conf")!;
        return new StreamReader(resource).ReadToEnd()
            .Replace("@DIR@", directory)
            .Replace("@RPC_PORT@", rpcPort.ToString())
            .Replace("@HTTP_PORT@", httpPort.ToString())
            .Replace("@AUTH_ENABLED@", authEnabled ? "true" : "false");
    }

    public int HttpPort { get; }
    public string Url => $"http://127.0.0.1:{HttpPort}";
    public string Log { get { lock (_log) return _log.ToString(); } }

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("influxd", ["run", "-config", _config])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"influxd exited with {_process.ExitCode}:\n{Log}");
            try
            {
                if ((await http.GetAsync($"{Url}/ping")).IsSuccessStatusCode)
                {
                    // Until an admin exists influxd takes only that statement, without credentials; after a restart
                    // the same statement, now authenticated, changes nothing.
                    if (_admin is { } admin) await QueryAsync("", $"CREATE USER \"{admin.User}\" WITH PASSWORD '{admin.Password}' WITH ALL PRIVILEGES");
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"influxd did not answer /ping:\n{Log}");
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>An InfluxQL statement over HTTP as Grafana sends it; the JSON answer.</summary>
    public async Task<string> QueryAsync(string database, string influxQl)
    {
        using var http = Client();
        var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["db"] = database, ["q"] = influxQl, ["epoch"] = "ms" });
        var response = await http.PostAsync($"{Url}/query", content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{influxQl}: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>Writes line protocol (ms precision) into a database it creates if needed.</summary>
    public async Task WriteAsync(string database, string lines)
    {
        using var http = Client();
        (await http.PostAsync($"{Url}/query", new FormUrlEncodedContent([new("q", $"CREATE DATABASE \"{database}\"")]))).EnsureSuccessStatusCode();
        var response = await http.PostAsync($"{Url}/write?db={database}&precision=ms", new StringContent(lines));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"influxd /write: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The rows of every series of an InfluxQL query (epoch ms), as column → value objects.</summary>
    public async Task<List<JsonObject>> QueryRowsAsync(string database, string influxQl)
    {
        var body = JsonNode.Parse(await QueryAsync(database, influxQl))!;
        var rows = new List<JsonObject>();
        foreach (var series in body["results"]![0]!["series"]?.AsArray() ?? [])
        {
            var columns = series!["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray();
            foreach (var values in series["values"]!.AsArray())
            {
                var row = new JsonObject();
                for (var i = 0; i < columns.Length; i++) row[columns[i]] = values![i]?.DeepClone();
                rows.Add(row);
            }
        }
        return rows;
    }

    /// <summary>An HTTP client that authenticates as the admin when there is one.</summary>
    private HttpClient Client()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        if (_admin is { } admin)
            http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{admin.User}:{admin.Password}")));
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
