using System.Diagnostics;
using System.Text;

namespace TrackerDcs.TrendsBench;

/// <summary>A child process of the bench (influxd, TrackerDcs), killed with its children on dispose.</summary>
public sealed class Child(string name, ProcessStartInfo info) : IDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    public string Log { get { lock (_log) return _log.ToString(); } }

    public void Start()
    {
        info.RedirectStandardOutput = info.RedirectStandardError = true;
        info.UseShellExecute = false;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits until <paramref name="url"/> answers 2xx; fails with the process's log if it exits or takes a minute.</summary>
    public async Task WaitAsync(string url)
    {
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { Timeout = TimeSpan.FromSeconds(2) };
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            if (_process!.HasExited) throw new InvalidOperationException($"{name} exited with {_process.ExitCode}:\n{Log}");
            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
        }
        throw new TimeoutException($"{name} did not answer {url}:\n{Log}");
    }

    public void Dispose()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.WaitForExit();
        _process?.Dispose();
    }
}
