using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace TrackerDcs.Bench;

/// <summary>
/// libca through pyepics (<see cref="PyEpicsProcess"/>), pointed at one server port only. The script reads
/// its PV names from a file, reports "ready" when set up, obeys "go"/"stop" lines on stdin and prints one
/// JSON object as its last line.
/// </summary>
public sealed class PyEpicsScript : IAsyncDisposable
{
    /// <summary>
    /// connect: creates every channel, then waits for each (libca searches for all of them meanwhile);
    /// timed from the first create to the last connection, libca already initialised.
    /// monitor: connects, subscribes DBR_TIME with the default mask (value | alarm) and a callback that
    /// counts, waits for the initial update of each, then counts between "go" and "stop".
    /// </summary>
    private const string Script = """
        import json, sys, time
        from epics import ca
        names = open(sys.argv[1]).read().split()
        mode = sys.argv[2]
        ca.initialize_libca()
        t0 = time.perf_counter()
        chids = [ca.create_channel(n, connect=False, auto_cb=False) for n in names]
        for c in chids:
            if not ca.connect_channel(c, timeout=60):
                print(json.dumps({"error": "not connected: " + ca.name(c)})); sys.exit(1)
        connect_s = time.perf_counter() - t0
        if mode == "connect":
            print(json.dumps({"n": len(names), "connect_s": connect_s})); sys.exit(0)
        count = [0]
        def on_update(**kw):
            count[0] += 1
        subs = [ca.create_subscription(c, use_time=True, callback=on_update) for c in chids]
        deadline = time.time() + 60
        while count[0] < len(names) and time.time() < deadline:
            time.sleep(0.01)
        print("ready", flush=True)
        sys.stdin.readline()
        count[0] = 0
        t0 = time.perf_counter()
        sys.stdin.readline()
        print(json.dumps({"n": len(names), "received": count[0], "seconds": time.perf_counter() - t0}))
        """;

    private readonly Process _process;
    private readonly string _namesFile;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PyEpicsScript(string mode, IEnumerable<string> names, int port)
    {
        _namesFile = Path.GetTempFileName();
        File.WriteAllLines(_namesFile, names);
        _process = Process.Start(PyEpicsProcess.StartInfo(port, "-c", Script, _namesFile, mode))
            ?? throw new InvalidOperationException($"could not start {DebianPython.Path}");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "ready") _ready.TrySetResult();
            else if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data);
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public async Task ReadyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        await Task.WhenAny(_ready.Task, _process.WaitForExitAsync(timeout.Token));
        if (!_ready.Task.IsCompleted) throw new InvalidOperationException($"pyepics never got ready: {Errors}");
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public async Task<JsonElement> ResultAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        await _process.WaitForExitAsync(timeout.Token);
        string output;
        lock (_stdout) output = _stdout.ToString();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (_process.ExitCode != 0 || last is null) throw new InvalidOperationException($"pyepics exited {_process.ExitCode}: {output}{Errors}");
        var json = JsonDocument.Parse(last).RootElement;
        if (json.TryGetProperty("error", out var error)) throw new InvalidOperationException($"pyepics: {error}");
        return json;
    }

    private string Errors { get { lock (_stderr) return _stderr.ToString(); } }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        File.Delete(_namesFile);
    }
}
