using TrackerDcs.Tests.Alarms;

namespace TrackerDcs.Tests.Support;

/// <summary>
/// The process with its data directory on a small tmpfs of its own (mounted for the test), started, and a file that
/// can fill the rest: the stand on a full disk for real (FullDiskTests, ProcedureFullDiskTests). Disposed: stopped, unmounted, its directory removed.
/// </summary>
internal sealed class SmallDiskStand : IAsyncDisposable
{
    private readonly string _directory;
    private SmallDisk? _mount;

    private SmallDiskStand(string directory, StandProcess stand)
    {
        _directory = directory;
        Stand = stand;
    }

    public StandProcess Stand { get; }

    private string Filler => Path.Combine(Stand.DataDirectory, "filler.bin");

    /// <param name="directory">The stand's directory, holding what the settings name (rules, procedures); its data directory is mounted.</param>
    public static async Task<SmallDiskStand> StartAsync(IDictionary<string, string> settings, string directory, long bytes)
    {
        var disk = new SmallDiskStand(directory, new StandProcess(settings, directory));
        try
        {
            disk._mount = await SmallDisk.MountAsync(disk.Stand.DataDirectory, bytes);
            await disk.Stand.StartAsync();
            return disk;
        }
        catch
        {
            await disk.DisposeAsync();
            throw;
        }
    }

    /// <summary>Fills the disk to its last block.</summary>
    public Task FillAsync() => SmallDisk.FillUpAsync(Filler);

    /// <summary>Room again.</summary>
    public void Free() => File.Delete(Filler);

    public async ValueTask DisposeAsync()
    {
        await Stand.DisposeAsync();
        if (_mount is not null) await _mount.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
