using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace TrackerDcs.Tests.Support;

/// <summary>
/// Node-RED 4 from npm (installed once into a cache directory by scripts/install-node-red.sh), on 127.0.0.1 and a
/// free port, with its own user directory under /tmp; flows are deployed through its admin HTTP API (POST /flows),
/// as the editor's Deploy button does. Killed with its children, and its directory removed, on dispose.
/// </summary>
public sealed class NodeRedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private NodeRedProcess(Process process, string userDirectory, int port)
    {
        _process = process;
        UserDirectory = userDirectory;
        Port = port;
        _http.BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public string UserDirectory { get; }
    public int Port { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Installs Node-RED if the cache lacks it (the first time: about a minute), starts it and waits for its admin API.</summary>
    public static async Task<NodeRedProcess> StartAsync()
    {
        var install = await ProcessRunner.RunAsync("bash", [Repository.File("scripts", "install-node-red.sh")], timeout: TimeSpan.FromMinutes(10));
        if (install.ExitCode != 0) throw new InvalidOperationException($"scripts/install-node-red.sh failed: {install}");
        var nodeRed = install.Stdout.Trim();

        var userDirectory = Directory.CreateTempSubdirectory("trackerdcs-nodered-").FullName;
        var port = FreePort.Tcp();
        var settings = Path.Combine(userDirectory, "settings.js");
        // Loopback only, no telemetry or update check, no editor tours; the flows' credentials encrypted with a key of this run.
        await File.WriteAllTextAsync(settings, $$"""
            module.exports = {
                uiHost: "127.0.0.1",
                uiPort: {{port}},
                flowFile: "flows.json",
                credentialSecret: "{{Guid.NewGuid():N}}",
                diagnostics: { enabled: false },
                telemetry: { enabled: false, updateNotification: false },
                editorTheme: { tours: false },
                logging: { console: { level: "info" } },
            };
            """);
        var info = new ProcessStartInfo(nodeRed)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = userDirectory,
        };
        foreach (var a in new[] { "--userDir", userDirectory, "--settings", settings }) info.ArgumentList.Add(a);
        var node = new NodeRedProcess(Process.Start(info)!, userDirectory, port);
        node._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (node._log) node._log.AppendLine(e.Data); };
        node._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (node._log) node._log.AppendLine(e.Data); };
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        try
        {
            await node.WaitForAdminApiAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    private async Task WaitForAdminApiAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Node-RED exited with {_process.ExitCode}:\n{Log}");
            try
            {
                using var response = await _http.GetAsync("flows");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }   // not listening yet
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Node-RED's admin API did not answer within {timeout.TotalSeconds} s:\n{Log}");
            await Task.Delay(200);
        }
    }

    /// <summary>Replaces every flow with these nodes (a full deploy, as the editor's Deploy button).</summary>
    public async Task DeployAsync(JsonArray flows)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "flows")
        {
            Content = new StringContent(flows.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Node-RED-Deployment-Type", "full");
        using var response = await _http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /flows: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{Log}");
    }

    /// <summary>POSTs to an http-in node of the deployed flows (httpNodeRoot is "/").</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        return await _http.PostAsync(path.TrimStart('/'), content);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _http.Dispose();
        try { Directory.Delete(UserDirectory, recursive: true); }
        catch (IOException) { }   // a file still being closed: /tmp is cleaned anyway
    }
}
