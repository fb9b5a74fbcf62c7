using System.Diagnostics;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Alarms;

/// <summary>
/// The data-disk alarm caused for real: the stand's data directory is a small tmpfs mounted for the test,
/// a file fills it below Alarms:DiskFreePercentMin, system.disk is raised; the file is deleted, it clears.
/// A filesystem of its own keeps the test exact (no guessing at what else writes to the machine's disk)
/// and leaves the machine's disk alone.
/// </summary>
public sealed class DiskAlarmTests
{
    private const long DiskBytes = 64L << 20;

    [TmpfsFact]
    public async Task Filling_the_data_disk_raises_system_disk_and_freeing_it_clears_it()
    {
        var stand = new StandProcess(new Dictionary<string, string> { ["Alarms:DiskFreePercentMin"] = "50" });
        SmallDisk? mount = null;
        try
        {
            mount = await SmallDisk.MountAsync(stand.DataDirectory, DiskBytes);
            await stand.StartAsync();
            await using var alarms = await MosquittoSubscriber.StartAsync(stand.MqttPort, Mosquitto.Auth("admin", StandProcess.AdminPassword), ["alarms/active"]);
            await alarms.WaitOnAsync("alarms/active", a => !a.Contains("system.disk"), TimeSpan.FromSeconds(20), "no disk alarm on the empty disk");

            // Leave a fifth of the disk free: far below the 50 % threshold whatever the stand writes meanwhile.
            var drive = new DriveInfo(stand.DataDirectory);
            var filler = Path.Combine(stand.DataDirectory, "filler.bin");
            await SmallDisk.FillAsync(filler, drive.AvailableFreeSpace - drive.TotalSize / 5);
            var raised = await alarms.WaitOnAsync("alarms/active", a => a.Contains("system.disk:data"), TimeSpan.FromSeconds(20), "system.disk raised");
            Assert.Contains($"data disk {stand.DataDirectory} has", raised);
            Assert.Contains("% free", raised);

            File.Delete(filler);
            await alarms.WaitOnAsync("alarms/active", a => !a.Contains("system.disk"), TimeSpan.FromSeconds(20), "system.disk cleared");
        }
        finally
        {
            await stand.DisposeAsync(); // stops the process (its files on the tmpfs are closed); cannot remove the mount point
            if (mount is not null) await mount.DisposeAsync();
            try { Directory.Delete(stand.Directory, recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>A tmpfs of a given size mounted on a directory (needs root with CAP_SYS_ADMIN); unmounted on dispose.</summary>
internal sealed class SmallDisk : IAsyncDisposable
{
    private readonly string _path;

    private SmallDisk(string path) => _path = path;

    public static async Task<SmallDisk> MountAsync(string path, long bytes)
    {
        Directory.CreateDirectory(path);
        var result = await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={bytes},mode=0700", "tmpfs", path]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"mount tmpfs on {path}: {result}");
        return new SmallDisk(path);
    }

    /// <summary>Writes real bytes (not a sparse file, which takes no space), 1 MiB at a time.</summary>
    public static async Task FillAsync(string file, long bytes)
    {
        var chunk = new byte[1 << 20];
        await using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
        for (var left = bytes; left > 0; left -= chunk.Length)
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
        await stream.FlushAsync();
    }

    /// <summary>Writes real bytes until the filesystem refuses the smallest block: a disk with no room left.</summary>
    public static async Task FillUpAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        for (var chunk = 1 << 20; chunk >= 4096; chunk /= 4)
        {
            var bytes = new byte[chunk];
            try
            {
                while (true) { await stream.WriteAsync(bytes); await stream.FlushAsync(); }
            }
            catch (IOException) { } // ENOSPC: try a smaller block
        }
    }

    public async ValueTask DisposeAsync()
    {
        var result = await ProcessRunner.RunAsync("umount", [_path]);
        // Something still holds a file open: detach now, the kernel frees it when the last file closes.
        if (result.ExitCode != 0) await ProcessRunner.RunAsync("umount", ["--lazy", _path]);
    }
}

/// <summary>
/// A test that mounts a tmpfs: skipped, with the reason, where mounting is not permitted (not root, or a
/// container without CAP_SYS_ADMIN), so that it never passes without having run.
/// </summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Refusal = new(Probe);

    public TmpfsFactAttribute()
    {
        if (Refusal.Value is { } reason) Skip = $"cannot mount a tmpfs for the data directory here: {reason}";
    }

    private static string? Probe()
    {
        var dir = Directory.CreateTempSubdirectory("trackerdcs-tmpfs-probe-").FullName;
        try
        {
            var (code, error) = Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir);
            if (code != 0) return error.Trim() is { Length: > 0 } e ? e : $"mount exited with {code}";
            Run("umount", dir);
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"mount is not available ({e.Message})";
        }
        finally
        {
            try { Directory.Delete(dir); } catch (IOException) { }
        }
    }

    private static (int Code, string Stderr) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stderr);
    }
}
