using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// A stand-in for a Ph2_ACF calibration, for demos and tests, and nothing else: `TrackerDcs fake-ph2acf
/// --run N --out DIR [--hw FILE] [--modules a,b] [--seconds S] [--fail] [--hang] [--child] [--result-kb K] [--spam N]`.
/// It prints progress lines ("Progress: 40%") on stdout, writes a log and result files (a small text summary
/// and a binary "histogram" file of K KiB) into DIR, and can fail (exit 3 half-way, with an error on
/// stderr), hang (ignoring SIGTERM, so only a kill ends it) or start a child process (`sleep`) so that
/// stopping the whole process tree can be checked, or print N lines at once (the log's rate limit).
/// </summary>
public static class FakePh2Acf
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        bool Flag(string name) => args.Contains(name);
        if (Option("--run") is not { } run || Option("--out") is not { } output)
        {
            await stderr.WriteLineAsync("usage: TrackerDcs fake-ph2acf --run N --out DIR [--hw FILE] [--modules a,b] [--seconds S] [--fail] [--hang] [--child] [--result-kb K] [--spam N]");
            return 2;
        }
        var seconds = double.Parse(Option("--seconds") ?? "3", CultureInfo.InvariantCulture);
        var resultKb = int.Parse(Option("--result-kb") ?? "4", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(output);
        await using var log = new StreamWriter(Path.Combine(output, $"fake-ph2acf_Run{run}.log")) { AutoFlush = true };
        async Task Say(string line)
        {
            await stdout.WriteLineAsync(line);
            await stdout.FlushAsync();
            await log.WriteLineAsync(line);
        }

        using var terminated = new CancellationTokenSource();
        var hang = Flag("--hang");
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            // A hanging calibration ignores SIGTERM, as a stuck DAQ loop would: only the kill after the grace period ends it.
            context.Cancel = true;
            if (!hang) terminated.Cancel();
        });
        await Say($"fake Ph2_ACF (not the real DAQ): run {run}, hw {Option("--hw") ?? "-"}, modules {Option("--modules") ?? "-"}, pid {Environment.ProcessId}");
        using var child = Flag("--child") ? Process.Start("sleep", "3600") : null;
        if (child is not null) await Say($"child pid {child.Id}");
        for (var i = 0; i < int.Parse(Option("--spam") ?? "0", CultureInfo.InvariantCulture); i++) await Say($"event {i}: hits 0x{i:x4}");
        if (hang)
        {
            await Say("Progress: 0% (hanging on request)");
            await Task.Delay(Timeout.Infinite);
        }
        const int steps = 10;
        try
        {
            for (var step = 1; step <= steps; step++)
            {
                await Task.Delay(TimeSpan.FromSeconds(seconds / steps), terminated.Token);
                if (Flag("--fail") && step == steps / 2)
                {
                    await stderr.WriteLineAsync("ERROR: lost the FC7 board (failing on request)");
                    await log.WriteLineAsync("ERROR: lost the FC7 board (failing on request)");
                    return 3;
                }
                await Say($"Progress: {step * 100 / steps}%");
            }
        }
        catch (OperationCanceledException)
        {
            await Say("SIGTERM received, closing the run");
            return 143;
        }
        await File.WriteAllTextAsync(Path.Combine(output, $"Results_Run{run}.txt"), $"run {run}\nmodules {Option("--modules")}\npedestal 42.0\nnoise 5.1\n");
        var histogram = new byte[resultKb * 1024];
        new Random(int.Parse(run, CultureInfo.InvariantCulture)).NextBytes(histogram);
        await File.WriteAllBytesAsync(Path.Combine(output, $"Hist_Run{run}.root"), histogram);
        await Say("Calibration done");
        // The helper would otherwise outlive the run holding stdout open.
        child?.Kill();
        return 0;
    }
}
