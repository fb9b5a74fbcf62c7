using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace TrackerDcs.Tests.Modbus;

/// <summary>
/// Debian's pymodbus (under /usr/bin/python3) serving holding registers 0–999 on 127.0.0.1, as the plant our
/// client and device talk to: pymodbus_plant.py beside this file, driven over its stdin. Registers are set and
/// read back through pymodbus's own datastore, so a test sees what actually reached the server.
/// </summary>
public sealed class PymodbusPlant : IAsyncDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _errors = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    private PymodbusPlant(Process process) => _process = process;

    public int Port { get; private set; }

    public static async Task<PymodbusPlant> StartAsync(byte unitId = 1)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Modbus", "pymodbus_plant.py");
        var info = new ProcessStartInfo(DebianPython.Path)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in (string[])["-u", script, unitId.ToString(CultureInfo.InvariantCulture), "0"]) info.ArgumentList.Add(a);
        var plant = new PymodbusPlant(Process.Start(info)!);
        plant._process.OutputDataReceived += (_, e) => { if (e.Data is not null) plant._lines.Writer.TryWrite(e.Data); };
        plant._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (plant._errors) plant._errors.Add(e.Data); };
        plant._process.BeginOutputReadLine();
        plant._process.BeginErrorReadLine();
        try
        {
            plant.Port = ListeningPort(await plant.NextLineAsync());
        }
        catch
        {
            await plant.DisposeAsync();
            throw;
        }
        return plant;
    }

    public async Task SetAsync(ushort address, params ushort[] values) =>
        Expect("ok", await CommandAsync($"set {address} {string.Join(' ', values)}"));

    public async Task<ushort[]> GetAsync(ushort address, int count)
    {
        var line = await CommandAsync($"get {address} {count}");
        Expect("values", line.Split(' ')[0]);
        return line.Split(' ')[1..].Select(v => ushort.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    public async Task<ushort> GetAsync(ushort address) => (await GetAsync(address, 1))[0];

    /// <summary>Every write clients made since the last call, in order, as "address:v,v" (pymodbus's own record of them).</summary>
    public async Task<string[]> WritesAsync()
    {
        var line = await CommandAsync("writes");
        Expect("writes", line.Split(' ')[0]);
        return line.Split(' ')[1..];
    }

    /// <summary>Closes every connection and the listener, keeping the registers (a plant whose network is down).</summary>
    public async Task StopAsync() => Expect("stopped", await CommandAsync("stop"));

    /// <summary>Listens again on the same port.</summary>
    public async Task StartAgainAsync() => Assert.Equal(Port, ListeningPort(await CommandAsync("start")));

    private static int ListeningPort(string line)
    {
        Expect("listening", line.Split(' ')[0]);
        return int.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static void Expect(string expected, string line) =>
        Assert.True(line == expected || line.StartsWith(expected + " ", StringComparison.Ordinal), $"pymodbus plant answered '{line}', expected '{expected}'");

    private async Task<string> CommandAsync(string command)
    {
        await _gate.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(command);
            await _process.StandardInput.FlushAsync();
            return await NextLineAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> NextLineAsync()
    {
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        try
        {
            return await _lines.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            string errors;
            lock (_errors) errors = string.Join('\n', _errors);
            throw new TimeoutException($"pymodbus plant did not answer within {AnswerTimeout.TotalSeconds} s (exited: {_process.HasExited}); stderr:\n{errors}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.EndByClosingInputAsync(_process);
        _process.Dispose();
    }
}
