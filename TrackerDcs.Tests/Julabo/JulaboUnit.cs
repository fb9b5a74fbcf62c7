using System.Diagnostics;
using System.Globalization;

namespace TrackerDcs.Tests.Julabo;

/// <summary>
/// An independent Julabo unit on end B of a socat pty pair: julabo_unit.py beside this file, run by Debian's
/// Python with pyserial, answering as a real unit does (padded numbers, whole-percent power, "---.--" without
/// an external Pt100, too-fast commands ignored). Not our simulator: what our driver gets right against it,
/// it gets right against a unit written from the manual, not from our own code. The driver opens <see cref="Port"/>.
/// </summary>
public sealed class JulaboUnit : IAsyncDisposable
{
    private readonly SocatPtyPair _pty = new();
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _errors = [];

    /// <param name="spacing">Commands that come sooner than this after the previous one are ignored.</param>
    public JulaboUnit(TimeSpan spacing, bool externalSensor)
    {
        var info = new ProcessStartInfo(DebianPython.Path)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in (string[])["-u", Path.Combine(AppContext.BaseDirectory, "Julabo", "julabo_unit.py"), _pty.B,
                     ((int)spacing.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), externalSensor ? "present" : "absent"])
            info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_errors) _errors.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The serial device the driver opens.</summary>
    public string Port => _pty.A;

    /// <summary>Every command the unit took, in order ("OUT_SP_03 30.00").</summary>
    public List<string> Taken => Lines("rx ");

    /// <summary>Every command the unit ignored because it came too soon after the previous one.</summary>
    public List<string> Dropped => Lines("drop ");

    /// <summary>Every command that came while the unit was silent (<see cref="SetSilentAsync"/>).</summary>
    public List<string> Muted => Lines("mute ");

    public Task ReadyAsync() => WaitForLineAsync("ready");

    /// <summary>Switches the unit off behind its port (true): the port stays, nothing is taken or answered; or on again.</summary>
    public async Task SetSilentAsync(bool silent)
    {
        var command = silent ? "silent" : "answer";
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        await WaitForLineAsync($"ok {command}");
    }

    /// <summary>Everything the unit said, for a failure message.</summary>
    public string Transcript()
    {
        lock (_lines) return string.Join('\n', _lines) + "\nstderr: " + string.Join('\n', Errors());
    }

    public async Task SetSensorAsync(bool present)
    {
        var command = present ? "sensor present" : "sensor absent";
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        await WaitForLineAsync($"ok {command}");
    }

    private List<string> Lines(string prefix)
    {
        lock (_lines) return [.. _lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..])];
    }

    private Task WaitForLineAsync(string line) => Eventually.True(() =>
    {
        lock (_lines) return _lines.Contains(line);
    }, $"the Julabo unit to say \"{line}\" (exited: {_process.HasExited}, stderr: {string.Join('\n', Errors())})", seconds: 15);

    private string[] Errors()
    {
        lock (_errors) return [.. _errors];
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.EndByClosingInputAsync(_process);
        _process.Dispose();
        _pty.Dispose();
    }
}
