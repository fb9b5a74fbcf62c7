using System.Diagnostics;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// One running calibration program: started from an argument list (no shell ever parses it), its stdout and
/// stderr lines handed to <see cref="Line"/>, and stopped cleanly: SIGTERM to the whole tree, then after the
/// grace period SIGKILL to whatever of that tree is still alive. The tree is re-read on <see cref="Refresh"/>,
/// so that descendants left behind when the program exits can still be found and ended.
/// </summary>
public sealed class CalibrationProcess : IDisposable
{
    private readonly Process _process;
    private readonly HashSet<int> _tree = [];

    private CalibrationProcess(Process process) => _process = process;

    public event Action<string, bool>? Line;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static CalibrationProcess Start(string executable, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        var calibration = new CalibrationProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) calibration.Line?.Invoke(e.Data, false); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) calibration.Line?.Invoke(e.Data, true); };
        process.Start();
        // Ph2_ACF reads nothing from stdin; closing it keeps a program that waits for input from hanging on it.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        calibration.Refresh();
        return calibration;
    }

    /// <summary>Adds the program's current descendants to the members of its tree.</summary>
    public void Refresh()
    {
        if (_process.HasExited) return;
        lock (_tree) _tree.UnionWith(ProcessTree.Of(_process.Id));
    }

    /// <summary>Waits until the output has been read to the end, at most <paramref name="timeout"/>.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // A descendant still holds stdout open; it is ended by EndLeftovers.
        }
    }

    /// <summary>SIGTERM to the tree; after the grace period SIGKILL to the members still alive.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Refresh();
        int[] tree;
        lock (_tree) tree = [.. _tree];
        await ProcessTree.StopAsync(tree, grace);
        // Children started during the grace period are found by walking from the root once more.
        Refresh();
        EndLeftovers();
    }

    /// <summary>Kills every known member of the tree still alive: a finished calibration leaves nothing running.</summary>
    public void EndLeftovers()
    {
        lock (_tree) ProcessTree.KillAll(_tree.Where(ProcessTree.IsAlive));
    }

    public void Dispose() => _process.Dispose();
}
