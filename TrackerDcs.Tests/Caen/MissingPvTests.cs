using Microsoft.Extensions.Logging;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;
using TrackerDcs.Tests.ChannelAccess;

namespace TrackerDcs.Tests.Caen;

/// <summary>
/// Issue 16, finding 2: an IOC that lacks one PV of the map. The driver over the real Channel Access client
/// against the simulated crate, served with cleanroom:12:001:SVMax withheld.
/// </summary>
public sealed class MissingPvTests : IAsyncLifetime
{
    private const string Missing = "cleanroom:12:001:SVMax";

    private const string Map = """
        name: dcs
        channels:
          "0":
            module: module_0
            lv: { board: 0, chan: 0 }
            hv: { board: 12, chan: 0 }
          "1":
            module: module_1
            lv: { board: 0, chan: 1 }
            hv: { board: 12, chan: 1 }
          "2":
            module: module_2
            lv: { board: 0, chan: 2 }
            hv: { board: 12, chan: 2 }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10.,
                tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 200., maxI: 500., rampUpSpeed: 100., rampDwnSpeed: 100., tripTime: 1.,
                tripInt: 0b0, tripExt: 0x11, tripMode: Kill, imRange: Low, maxV: 600. }
        """;

    private readonly SimulatedCaenCrate _crate = new("cleanroom");
    private readonly ListLogger<CaenDevice> _log = new();
    private CaServer _server = null!;
    private CaClient _client = null!;
    private ChannelAccessPvAccess _access = null!;
    private CaenDevice _device = null!;

    public Task InitializeAsync()
    {
        _crate.Withhold(Missing);
        _crate.Start(SimulatedCaenCrate.DefaultTickPeriod);
        for (var attempt = 0; ; attempt++)
        {
            _server = new CaServer(_crate.Find, new CaServerOptions { Port = FreePort.ChannelAccess() });
            try
            {
                _server.Start();
                break;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 5) { }
        }
        // A short search period, so that the PV restored later is found again within the test's patience.
        var options = CaTest.OptionsFor(_server.SearchPort);
        options.MaxSearchPeriod = TimeSpan.FromSeconds(1);
        _client = new CaClient(options);
        _access = new ChannelAccessPvAccess(_client, pv => _crate.MonitorDeadBand(pv) ?? 0);
        _device = new CaenDevice(ChannelMap.Parse(Map, "test.yml"), _access, "cleanroom", _log);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _device.Dispose();
        await _access.DisposeAsync();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        _crate.Dispose();
    }

    private double Pv(string name) => PvValues.ToDouble(_crate.ProcessVariables.Single(p => p.Name == name).Value)!.Value;

    private IEnumerable<string> Warnings => _log.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Text);

    [Fact]
    public async Task One_missing_pv_leaves_its_channel_unavailable_and_the_rest_of_the_crate_protected_and_commanded()
    {
        await _device.StartAsync(CancellationToken.None);

        // Every PV that exists gets its settings, the other channels' SVMax first of all.
        await Eventually.True(() => Pv("cleanroom:12:000:SVMax") == 600 && Pv("cleanroom:12:002:SVMax") == 600,
            "SVMax 600 V written to the channels whose PVs exist", seconds: 20);
        await Eventually.True(() => _device.ChannelState("1").Wire() == "UNAVAILABLE", "channel 1 UNAVAILABLE", seconds: 20);
        Assert.Equal(1000, Pv(Missing));   // the crate's own value: nothing could be written to a PV the IOC does not serve
        Assert.Equal(500, Pv("cleanroom:12:001:I0Set"));   // the channel's other settings were written all the same
        Assert.Equal("LV_OFF", _device.State.Wire());
        Assert.Equal("LV_OFF", _device.ChannelState("0").Wire());

        // Named once in the log, with what it costs.
        var named = _log.Entries.Where(e => e.Text.Contains(Missing)).Select(e => e.Text).ToList();
        Assert.Equal([$"{Missing} not found: channel 1 HV is not protected"], named);
        var snapshot = _device.Snapshot();
        Assert.Equal([$"{Missing} not found: channel 1 HV is not protected"], snapshot.Missing.Select(m => m.Text));

        // The others work; the unavailable channel is not switched on.
        Assert.Equal(CommandResult.Done, await _device.SwitchAsync(PowerKind.Lv, on: true, CancellationToken.None));
        await Eventually.True(() => Pv("cleanroom:00:000:Pw") == 1 && Pv("cleanroom:00:002:Pw") == 1, "LV on for channels 0 and 2");
        Assert.Equal(0, Pv("cleanroom:00:001:Pw"));
        await Eventually.True(() => _device.State.Wire() == "LV_ON", "the crate LV_ON over its available channels");
        var setV = await _device.SetVoltageAsync(PowerKind.Hv, "1", 100, CancellationToken.None);
        Assert.False(setV.Ok);
        Assert.Contains("UNAVAILABLE", setV.Error);
        Assert.Contains(Missing, setV.Error);

        // The PV comes back: picked up, given its setting, the channel back in the crate's states.
        _crate.Restore(Missing);
        await Eventually.True(() => Pv(Missing) == 600, "SVMax 600 V written to the PV that came back", seconds: 20);
        await Eventually.True(() => _device.ChannelState("1").Wire() == "LV_OFF", "channel 1 LV_OFF once its PV is back", seconds: 20);
        Assert.Empty(_device.Snapshot().Missing);
        Assert.Contains(_log.Entries, e => e.Text == $"{Missing} found");
        Assert.DoesNotContain(Warnings, w => w.Contains("should not do"));
    }

    [Fact]
    public async Task A_missing_write_only_pv_is_named_once_in_the_refusal()
    {
        _crate.Withhold("cleanroom:ClearAlarm");
        await _device.StartAsync(CancellationToken.None);
        await Eventually.True(() => _device.State.Wire() == "LV_OFF", "the crate read", seconds: 20)
            .ContinueWith(t => t.IsFaulted ? throw new TimeoutException($"crate {_device.State.Wire()}; log: {string.Join(" | ", _log.Entries.Select(e => e.Text))}") : t);

        var result = await _device.ClearAlarmsAsync(CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal("cleanroom:ClearAlarm: not found within 5 s", result.Error);
    }
}
