using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Alarms;

/// <summary>
/// The alarm manager in process with its history on a full disk for real (a small tmpfs filled to the last block):
/// alarms are raised, published and cleared whatever the database does, and the history rows it refused reach it,
/// with the times the events happened, once the disk has room again.
/// </summary>
public sealed class FullDiskAlarmTests
{
    private static readonly AlarmCondition Trip = new(AlarmCatalog.ChannelTrip, "0/hv", "HV of channel 0 tripped");
    private static readonly AlarmCondition Dew = new(AlarmCatalog.DewPointMargin, "stand", "dew-point margin 1.0 °C");

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingPublisher _publisher = new();

    private List<string> RetainedKeys() => [.. JsonDocument.Parse(_publisher.Messages.Last(m => m.Topic == "alarms/active" && m.Retain).Payload)
        .RootElement.EnumerateArray().Select(a => a.GetProperty("key").GetString()!)];

    [TmpfsFact]
    public async Task Alarms_are_published_while_their_history_cannot_be_written_and_the_rows_follow_with_their_own_times()
    {
        await using var disk = await FullDiskDatabase.CreateAsync();
        var history = new AlarmHistory(disk.Database, _clock);
        var manager = new AlarmManager(history, _publisher, _clock, new ListLogger<AlarmManager>());
        var start = _clock.GetUtcNow();
        await disk.FillAsync();

        await manager.ReconcileAsync([Trip], CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await manager.ReconcileAsync([Trip, Dew], CancellationToken.None);

        Assert.Equal(["caen.trip:0/hv", "environment.dewpoint:stand"], RetainedKeys());
        Assert.Equal(["caen.trip:0/hv", "environment.dewpoint:stand"],
            _publisher.Payloads("alarms/events").Select(p => JsonDocument.Parse(p).RootElement.GetProperty("key").GetString()));

        disk.Free();
        _clock.Advance(TimeSpan.FromSeconds(5));
        await manager.ReconcileAsync([Dew], CancellationToken.None);

        Assert.Equal(["environment.dewpoint:stand"], RetainedKeys());
        var rows = history.Query(start.AddHours(-1), start.AddHours(1));
        Assert.Equal([("cleared", "caen.trip:0/hv", start.AddSeconds(10)), ("raised", "environment.dewpoint:stand", start.AddSeconds(5)),
            ("raised", "caen.trip:0/hv", start)], rows.Select(r => (r.Event, r.Key, r.Time)));
    }
}

/// <summary>
/// The embedded database on a small tmpfs of its own (mounted for the test), and a file that can fill the rest:
/// the store on a full disk, in process. Skipped with TmpfsFact where mounting is not permitted.
/// </summary>
internal sealed class FullDiskDatabase : IAsyncDisposable
{
    private readonly SmallDisk _mount;
    private readonly string _filler;

    private FullDiskDatabase(string path, SmallDisk mount, StoreHealth? health)
    {
        Path = path;
        _mount = mount;
        _filler = System.IO.Path.Combine(path, "filler.bin");
        Data = new DataDirectory(new ConfigurationBuilder().AddInMemoryCollection([new("Data:Directory", path)]).Build());
        Database = new Database(Data, health);
    }

    public string Path { get; }
    public DataDirectory Data { get; }
    public Database Database { get; }

    /// <summary>A database on a disk of its own; its writes are reported to <paramref name="health"/> when given.</summary>
    public static async Task<FullDiskDatabase> CreateAsync(StoreHealth? health = null)
    {
        var path = Directory.CreateTempSubdirectory("trackerdcs-fullstore-").FullName;
        return new FullDiskDatabase(path, await SmallDisk.MountAsync(path, 8L << 20), health);
    }

    /// <summary>Fills the disk to its last block.</summary>
    public Task FillAsync() => SmallDisk.FillUpAsync(_filler);

    /// <summary>Room again.</summary>
    public void Free() => File.Delete(_filler);

    public async ValueTask DisposeAsync()
    {
        // Pooled connections keep the files open; release them before the mount goes.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await _mount.DisposeAsync();
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
