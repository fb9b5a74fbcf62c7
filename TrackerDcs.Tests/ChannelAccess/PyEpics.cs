using System.Diagnostics;
using System.Text.Json;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>Runs a Python script against libca through pyepics (<see cref="PyEpicsProcess"/>), pointed at one server port only.</summary>
public sealed class PyEpics : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Text.StringBuilder _out = new();

    private PyEpics(string script, int port)
    {
        _process = Process.Start(PyEpicsProcess.StartInfo(port, "-c", script))!;
        _stdout = ReadLines();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    private async Task<string> ReadLines()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == "ready") _ready.TrySetResult();
            else _out.AppendLine(line);
        }
        _ready.TrySetResult();
        return _out.ToString();
    }

    public static PyEpics Start(string script, int port) => new(script, port);

    /// <summary>Waits for the script to print "ready" (its channels are connected).</summary>
    public Task Ready() => _ready.Task.WaitAsync(TimeSpan.FromSeconds(20));

    /// <summary>Waits for the script to end and parses the JSON it printed last.</summary>
    public async Task<JsonElement> ResultAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); throw new TimeoutException($"pyepics script did not end: {await _stderr}"); }
        var output = await _stdout;
        var error = await _stderr;
        Assert.True(_process.ExitCode == 0, $"pyepics exited {_process.ExitCode}: {error}\n{output}");
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"pyepics printed nothing: {error}");
        return JsonDocument.Parse(last).RootElement;
    }

    public static Task<JsonElement> RunAsync(string script, int port) => Start(script, port).ResultAsync();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
