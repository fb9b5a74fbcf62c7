using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Devices.Caen;

namespace TrackerDcs.Tests.Caen;

/// <summary>
/// Issue 20, finding 3: the rule that decides, at start and at a reload, whether an operator's kept set point or
/// channels.yml's is written (CaenSetPoints), on the real SQLite store. The restart of a whole stand is in
/// SetPointRestartTests.
/// </summary>
public sealed class CaenSetPointsTests : IDisposable
{
    private readonly TempDatabase _database = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 2, 14, 0, TimeSpan.Zero));
    private readonly ListLogger<CaenSetPoints> _log = new();

    private static ChannelMap Map(string hv = "setV: 200., maxV: 600.", string lv = "setV: 12., ovVThr: 15.", string channel1 = "module: module_1, ") => ChannelMap.Parse($$"""
        name: dcs
        channels:
          "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }
          "1": { {{channel1}}lv: { board: 0, chan: 1 }, hv: { board: 12, chan: 1 } }
        global:
          lv: { {{lv}}, maxI: 2.5, unVThr: 0., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { {{hv}}, maxI: 500., rampUpSpeed: 50., rampDwnSpeed: 50., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low }
        """, "channels.yml");

    /// <summary>A new store on the same database: what a restarted process opens.</summary>
    private CaenSetPoints Restarted() => new(_database.Database, _time, _log);

    private string Warnings => string.Join("\n", _log.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Text));

    [Fact]
    public void A_kept_set_point_is_written_after_a_restart_with_who_set_it_and_when()
    {
        var first = Restarted();
        Assert.Empty(first.Resolve(Map()));
        Assert.Null(first.Keep("1", PowerKind.Hv, 150, fileVolts: 200, "oscar"));
        Assert.Null(first.Keep("0", PowerKind.Lv, 11.5, fileVolts: 12, "oscar"));
        Assert.Equal(new SetPointOrigin("oscar", _time.GetUtcNow()), first.Origin("1", PowerKind.Hv));

        _time.Advance(TimeSpan.FromHours(1));
        var second = Restarted();
        var applied = second.Resolve(Map());
        Assert.Equal(150, applied[("1", PowerKind.Hv)]);
        Assert.Equal(11.5, applied[("0", PowerKind.Lv)]);
        Assert.Equal(2, applied.Count);
        Assert.Equal(new SetPointOrigin("oscar", new DateTimeOffset(2026, 12, 6, 2, 14, 0, TimeSpan.Zero)), second.Origin("1", PowerKind.Hv));
        Assert.Null(second.Origin("0", PowerKind.Hv));
        Assert.Empty(Warnings);

    }

    [Fact]
    public async Task The_driver_writes_the_kept_set_points_to_the_crate_instead_of_the_files()
    {
        using var crate = new SimulatedCaenCrate("cleanroom");
        using var device = new CaenDevice(Map(), new InProcessPvAccess(crate), "cleanroom",
            setPoints: new Dictionary<(string, PowerKind), double> { [("1", PowerKind.Hv)] = 150, [("0", PowerKind.Lv)] = 11.5 });
        Assert.Equal(CommandResult.Done, await device.StartAsync(CancellationToken.None));
        Assert.Equal(150.0, crate.Find("cleanroom:12:001:V0Set")!.Value);
        Assert.Equal(200.0, crate.Find("cleanroom:12:000:V0Set")!.Value);
        Assert.Equal(11.5, crate.Find("cleanroom:00:000:V0Set")!.Value);
        Assert.Equal(12.0, crate.Find("cleanroom:00:001:V0Set")!.Value);
    }

    [Fact]
    public void A_file_edited_since_the_set_point_wins_and_says_so()
    {
        Assert.Null(Restarted().Keep("1", PowerKind.Hv, 150, fileVolts: 200, "oscar"));

        var store = Restarted();
        Assert.Empty(store.Resolve(Map(hv: "setV: 180., maxV: 600.")));
        Assert.Null(store.Origin("1", PowerKind.Hv));
        Assert.Contains("Channel 1 HV: channels.yml changed setV from 200 V to 180 V since the 150 V set by oscar at 2026-12-06 02:14:00 UTC: the file's 180 V is written", Warnings);
        // Dropped: going back to the old file does not bring the old set point back.
        Assert.Empty(Restarted().Resolve(Map()));
    }

    [Fact]
    public void A_kept_set_point_above_the_files_bound_now_is_refused_and_logged()
    {
        var store = Restarted();
        Assert.Null(store.Keep("1", PowerKind.Hv, 500, fileVolts: 200, "oscar"));
        Assert.Null(store.Keep("0", PowerKind.Lv, 14, fileVolts: 12, "oscar"));

        var applied = Restarted().Resolve(Map(hv: "setV: 200., maxV: 300.", lv: "setV: 12., ovVThr: 13."));
        Assert.Empty(applied);
        Assert.Contains("Channel 1 HV: the 500 V set by oscar at 2026-12-06 02:14:00 UTC is refused (HV setV 500 V of channel 1 is above its maxV 300 V): the file's 200 V is written", Warnings);
        Assert.Contains("Channel 0 LV: the 14 V set by oscar at 2026-12-06 02:14:00 UTC is refused (LV setV 14 V of channel 0 is above its ovVThr 13 V): the file's 12 V is written", Warnings);
    }

    [Fact]
    public void A_channel_that_lost_its_module_drops_its_kept_set_point()
    {
        Assert.Null(Restarted().Keep("1", PowerKind.Hv, 150, fileVolts: 200, "oscar"));
        Assert.Empty(Restarted().Resolve(Map(channel1: "")));
        Assert.Contains(_log.Entries, e => e.Text.Contains("Channel 1 HV: 150 V set by oscar at 2026-12-06 02:14:00 UTC dropped: channels.yml has no module on that channel now"));
        Assert.Empty(Restarted().Resolve(Map()));
    }

    public void Dispose() => _database.Dispose();
}
