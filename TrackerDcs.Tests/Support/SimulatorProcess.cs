using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace TrackerDcs.Tests.Support;

/// <summary>
/// `TrackerDcs simulate caen|julabo` in a process of its own, as hardware outside the stand: it outlives the
/// stand's process. Faults go in on its standard input; each answer is one "ok: …" or "error: …" line.
/// </summary>
public sealed class SimulatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _log = new();

    private SimulatorProcess(Process process) => _process = process;

    public static async Task<SimulatorProcess> StartAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in (string[])[StandProcess.Binary, "simulate", .. args]) info.ArgumentList.Add(a);
        var simulator = new SimulatorProcess(Process.Start(info)!);
        simulator._process.OutputDataReceived += (_, e) => { if (e.Data is not null) simulator.Receive(e.Data); };
        simulator._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (simulator._log) simulator._log.AppendLine(e.Data); };
        simulator._process.BeginOutputReadLine();
        simulator._process.BeginErrorReadLine();
        // The console's prompt is the last line written once the device serves.
        await simulator.NextAsync(l => l.StartsWith("type \"help\"", StringComparison.Ordinal), "the simulator to serve");
        return simulator;
    }

    public string Log { get { lock (_log) return _log.ToString(); } }

    private void Receive(string line)
    {
        lock (_log) _log.AppendLine(line);
        _lines.Writer.TryWrite(line);
    }

    /// <summary>Types a fault command; returns the answer after "ok: ", failing the test on "error: ".</summary>
    public async Task<string> CommandAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        var answer = await NextAsync(l => l.StartsWith("ok: ", StringComparison.Ordinal) || l.StartsWith("error: ", StringComparison.Ordinal), command);
        return answer.StartsWith("ok: ", StringComparison.Ordinal) ? answer[4..] : throw new InvalidOperationException($"{command}: {answer}");
    }

    private async Task<string> NextAsync(Func<string, bool> wanted, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(timeout.Token);
                if (wanted(line)) return line;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"waited 30 s for {what}; the simulator said:\n{Log}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
