using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Runs;

/// <summary>
/// Debian's real influxd (1.6), started on free loopback ports with its own temporary configuration and
/// directories, and killed on dispose. Queried over its HTTP API as Grafana would.
/// </summary>
public sealed class InfluxD : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http;

    private InfluxD(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Url = $"http://127.0.0.1:{port}";
        _http = new HttpClient { BaseAddress = new Uri(Url + "/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Url { get; }

    /// <summary>Starts influxd on the given HTTP port, or on a free one.</summary>
    public static async Task<InfluxD> StartAsync(int? httpPort = null)
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-influxd-").FullName;
        var port = httpPort ?? FreePort.Tcp();
        var config = Path.Combine(directory, "influxdb.conf");
        await File.WriteAllTextAsync(config, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{FreePort.Tcp()}"
            [meta]
              dir = "{directory}/meta"
            [data]
              dir = "{directory}/data"
              wal-dir = "{directory}/wal"
              query-log-enabled = false
            [http]
              bind-address = "127.0.0.1:{port}"
              log-enabled = false
            [monitor]
              store-enabled = false
            [continuous_queries]
              enabled = false
            """);
        var info = new ProcessStartInfo("influxd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "run", "-config", config }) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var influx = new InfluxD(process, directory, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (influx._log) influx._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (influx._log) influx._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"influxd exited with {process.ExitCode}: {influx._log}");
            try
            {
                if ((await influx._http.GetAsync("ping")).IsSuccessStatusCode) return influx;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"influxd did not answer /ping: {influx._log}");
    }

    public async Task WriteAsync(string database, string lines)
    {
        (await _http.PostAsync("query", new FormUrlEncodedContent([new("q", $"CREATE DATABASE \"{database}\"")]))).EnsureSuccessStatusCode();
        var response = await _http.PostAsync($"write?db={database}&precision=ms", new StringContent(lines));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"influxd /write: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Rows of the first series of an InfluxQL query (epoch ms), as column → value objects.</summary>
    public async Task<List<JsonObject>> QueryAsync(string database, string influxQl)
    {
        var body = JsonNode.Parse(await _http.GetStringAsync($"query?db={database}&epoch=ms&q={Uri.EscapeDataString(influxQl)}"))!;
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

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
