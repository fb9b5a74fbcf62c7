using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TrackerDcs.Tests.Support;

/// <summary>
/// The real TrackerDcs process, started from its built binary on free ports with its own data directory,
/// as a user would run it. Restartable on the same data directory; killed with its children on dispose.
/// </summary>
public sealed class StandProcess : IAsyncDisposable
{
    public const string AdminPassword = "admin-password-for-tests";
    private readonly Dictionary<string, string> _settings;
    private Process? _process;
    private readonly StringBuilder _log = new();

    public StandProcess(IDictionary<string, string>? settings = null, string? directory = null)
    {
        Directory = directory ?? System.IO.Directory.CreateTempSubdirectory("trackerdcs-test-").FullName;
        _settings = new Dictionary<string, string>
        {
            ["Data:Directory"] = DataDirectory,
            ["Endpoints:HttpAddress"] = "127.0.0.1",
            ["Endpoints:HttpsAddress"] = "127.0.0.1",
            ["Endpoints:MqttTlsAddress"] = "127.0.0.1",
            // Stands run in parallel: each simulated crate answers Channel Access on its own port, free for UDP too.
            // A TCP-only pick was once the next port of another stand's crate, where that stand's CA client listens
            // for beacons (UDP, port + 1), and the crate's search socket could not bind it: the stand exited at start.
            ["Caen:SimulatorPort"] = FreePort.ChannelAccess().ToString(),
        };
        // The shipped interlocks (no HV without cooling, …) would interfere with tests of other areas:
        // stands run without rules unless a test gives its own file.
        var noRules = Path.Combine(Directory, "no-interlocks.yml");
        File.WriteAllText(noRules, "interlocks: []\n");
        _settings["Interlocks:File"] = noRules;
        PickPorts();
        if (settings is not null) foreach (var (k, v) in settings) _settings[k] = v;
    }

    /// <summary>Free ports for the four endpoints (the OS picks them; another process may still take one first).</summary>
    private void PickPorts()
    {
        _settings["Endpoints:HttpPort"] = (HttpPort = FreePort.Tcp()).ToString();
        _settings["Endpoints:HttpsPort"] = (HttpsPort = FreePort.Tcp()).ToString();
        _settings["Endpoints:MqttPort"] = (MqttPort = FreePort.Tcp()).ToString();
        _settings["Endpoints:MqttTlsPort"] = (MqttTlsPort = FreePort.Tcp()).ToString();
    }

    public string Directory { get; }
    public string DataDirectory => Path.Combine(Directory, "data");
    public string CertificatePem => Path.Combine(DataDirectory, "tls", "trackerdcs.crt");
    public int HttpPort { get; private set; }
    public int HttpsPort { get; private set; }
    public int MqttPort { get; private set; }
    public int MqttTlsPort { get; private set; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static string Binary
    {
        get
        {
            // Tests run from TrackerDcs.Tests/bin/<configuration>/net10.0; the process is built in the same configuration.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            return Repository.File("TrackerDcs.Web", "bin", configuration, "net10.0", "TrackerDcs.dll");
        }
    }

    public string Setting(string key) => _settings[key];

    /// <summary>Environment variables of the process beyond the test's own (HOME for an older install's layout).</summary>
    public Dictionary<string, string> ExtraEnvironment { get; } = [];

    /// <summary>/readyz as admin: its status code and the full report (without a login it says only ready or unready).</summary>
    public async Task<(int Status, string Body)> ReadinessAsync()
    {
        using var client = HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"https://localhost:{HttpsPort}/readyz");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{AdminPassword}")));
        var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>POST to the HTTP API as admin (the simulators' fault injection); fails the test on an error status.</summary>
    public async Task<string> PostAsAdminAsync(string path)
    {
        using var client = HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, $"https://localhost:{HttpsPort}{path}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{AdminPassword}")));
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>GET from the HTTP API as admin (the audit log); fails the test on an error status.</summary>
    public async Task<string> GetAsAdminAsync(string path)
    {
        using var client = HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"https://localhost:{HttpsPort}{path}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{AdminPassword}")));
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
        return body;
    }

    public IEnumerable<string> Arguments => _settings.Select(kv => $"--{kv.Key}={kv.Value}");

    /// <summary>Runs the same executable's command line (e.g. `users add`) against this stand's data directory.</summary>
    public Task<ProcessResult> CliAsync(string stdin, params string[] args) => CliAsync(stdin, TimeSpan.FromSeconds(30), args);

    /// <summary>A command of the executable on this stand's data directory, given <paramref name="timeout"/> to finish.</summary>
    public Task<ProcessResult> CliAsync(string stdin, TimeSpan timeout, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Binary, .. args], stdin, timeout, environment: new Dictionary<string, string> { ["Data__Directory"] = DataDirectory });

    public async Task AddUserAsync(string name, string role, string password, params string[] prefixes)
    {
        var result = await CliAsync(password, ["users", "add", name, "--role", role, .. prefixes.SelectMany(p => new[] { "--prefix", p })]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"users add {name}: {result}");
    }

    /// <summary>Runs the process with these extra arguments to its exit instead of starting it: for a start that must fail.</summary>
    public Task<ProcessResult> RunToExitAsync(params string[] extra) =>
        ProcessRunner.RunAsync("dotnet", [Binary, .. Arguments, .. extra], timeout: TimeSpan.FromSeconds(60),
            environment: ExtraEnvironment, workingDirectory: Directory);

    public Task StartAsync() => StartCheckingAsync(CertificatePem);

    /// <summary>Waits until /readyz says every part is ready (the drivers have reached their devices), after a start.</summary>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var (status, report) = await ReadinessAsync();
            if (status == 200) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the stand did not become ready: {report}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Starts and waits until /healthz answers over TLS verified with this certificate file. A port picked free
    /// can be taken before the process binds it (by a simulator of another stand picking its own): then the
    /// start is tried again on new ports.
    /// </summary>
    public async Task StartCheckingAsync(string certificatePem)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync(certificatePem);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && Log.Contains("address already in use"))
            {
                lock (_log) _log.Clear();
                PickPorts();
            }
        }
    }

    private async Task StartOnceAsync(string certificatePem)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        info.ArgumentList.Add(Binary);
        foreach (var a in Arguments) info.ArgumentList.Add(a);
        info.Environment["TRACKERDCS_ADMIN_PASSWORD"] = AdminPassword;
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in ExtraEnvironment) info.Environment[name] = value;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"TrackerDcs exited with {_process.ExitCode}:\n{Log}");
            if (File.Exists(certificatePem) && await ReadyAsync(certificatePem)) return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"TrackerDcs did not become ready:\n{Log}");
    }

    private async Task<bool> ReadyAsync(string certificatePem)
    {
        try
        {
            using var client = HttpClient(certificatePem);
            var response = await client.GetAsync($"https://localhost:{HttpsPort}/healthz");
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or System.Security.Cryptography.CryptographicException)
        {
            // The certificate file may exist but not be completely written yet.
            return false;
        }
        catch (TaskCanceledException)
        {
            // The client's 10 s passed: a process still starting on loaded cores answers its first request late.
            // Not ready yet; the start's own deadline decides when it has taken too long.
            return false;
        }
    }

    /// <summary>An HTTP client that trusts exactly this stand's certificate (no blanket acceptance).</summary>
    public HttpClient HttpClient(string? certificatePem = null)
    {
        var trusted = X509CertificateLoader.LoadCertificateFromFile(certificatePem ?? CertificatePem);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
                certificate is not null && (errors == SslPolicyErrors.None || certificate.Thumbprint == trusted.Thumbprint),
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited) return;
        // SIGTERM: the graceful shutdown a service manager sends.
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>SIGKILL, to the process and its children, or (<paramref name="entireTree"/> false) to the process alone, as a crash would.</summary>
    public async Task KillAsync(bool entireTree = true)
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill(entireProcessTree: entireTree);
        await process.WaitForExitAsync();
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The exit code once the process has ended (0 for a clean stop), null while it runs.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>The process id while it runs (for measuring its memory).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        if (_process is not null) await _process.WaitForExitAsync();
        _process?.Dispose();
        // Disposed once whoever asks again (a fixture that stopped what it started when its start failed).
        _process = null;
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
