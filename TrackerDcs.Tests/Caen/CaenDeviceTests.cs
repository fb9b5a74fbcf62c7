using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Devices.Caen;

namespace TrackerDcs.Tests.Caen;

/// <summary>The driver end to end against the simulated crate, through the in-process test double, on a fake clock.</summary>
public sealed class CaenDeviceTests : IDisposable
{
    private const string Map = """
        name: dcs
        channels:
          "0":
            module: module_0
            lv: { board: 0, chan: 0 }
            hv: { board: 12, chan: 0 }
          "1":
            module: module_1
            lv: { board: 0, chan: 1, setV: 10.5 }
            hv: { board: 12, chan: 1, tripMode: Ramp }
          "spare":
            lv: { board: 4, chan: 7 }
            hv: { board: 15, chan: 11 }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10.,
                tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 200., maxI: 500., rampUpSpeed: 100., rampDwnSpeed: 100., tripTime: 1.,
                tripInt: 0b0, tripExt: 0x11, tripMode: Kill, imRange: Low }
        """;

    private readonly FakeTimeProvider _clock = new();
    private readonly SimulatedCaenCrate _crate;
    private readonly InProcessPvAccess _access;
    private readonly CaenDevice _device;
    private readonly CancellationToken _ct = CancellationToken.None;

    public CaenDeviceTests()
    {
        _crate = new SimulatedCaenCrate("cleanroom", _clock);
        _access = new InProcessPvAccess(_crate);
        _device = new CaenDevice(ChannelMap.Parse(Map, "test.yml"), _access, "cleanroom");
    }

    public void Dispose() => _device.Dispose();

    /// <summary>The dcs/channels payloads as the service publishes them: from one snapshot, through the view.</summary>
    private static IReadOnlyList<JsonObject> ChannelsJson(CaenDevice device) =>
        [.. CaenView.From(device.Snapshot()).Channels.Select(CaenTopics.ChannelPayload)];

    private static JsonObject StatusJson(CaenDevice device) => CaenTopics.StatusPayload(CaenView.From(device.Snapshot()));

    private object Pv(string name) => _crate.Find(name)!.Value;

    private void Run(double seconds)
    {
        for (var t = 0; t < Math.Round(seconds * 10); t++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            _crate.Tick();
        }
    }

    private async Task StartAsync()
    {
        Assert.Equal(CommandResult.Done, await _device.StartAsync(_ct));
        Run(0.1);
    }

    private async Task<CaenState> Ok(Task<CommandResult> command, double seconds)
    {
        Assert.Equal(CommandResult.Done, await command);
        Run(seconds);
        return _device.State;
    }

    [Fact]
    public async Task Start_writes_every_setting_of_every_channel_spare_ones_too()
    {
        Assert.Equal(CaenState.Init, _device.State);
        await StartAsync();

        Assert.Equal(12.0, Pv("cleanroom:00:000:V0Set"));
        Assert.Equal(10.5, Pv("cleanroom:00:001:V0Set"));
        Assert.Equal(2.5, Pv("cleanroom:00:000:I0Set"));
        Assert.Equal(15.0, Pv("cleanroom:00:000:OVVThr"));
        Assert.Equal(17, Pv("cleanroom:00:000:TripExt"));
        Assert.Equal(200.0, Pv("cleanroom:12:000:V0Set"));
        Assert.Equal(100.0, Pv("cleanroom:12:000:RUp"));
        Assert.Equal((ushort)TripMode.Kill, Pv("cleanroom:12:000:PDwn"));
        Assert.Equal((ushort)TripMode.Ramp, Pv("cleanroom:12:001:PDwn"));
        Assert.Equal((ushort)ImRange.Low, Pv("cleanroom:12:001:ImRange"));
        // The spare channel has no module but may be cabled: the global settings reach it as well (the seed did so).
        Assert.Equal(3 * (9 + 9), _access.Puts.Count);
        Assert.Equal(2.5, Pv("cleanroom:04:007:I0Set"));
        Assert.Equal(17, Pv("cleanroom:04:007:TripExt"));
        Assert.Equal(500.0, Pv("cleanroom:15:011:I0Set"));
        Assert.Equal((ushort)TripMode.Kill, Pv("cleanroom:15:011:PDwn"));
        Assert.Equal((ushort)0, Pv("cleanroom:04:007:Pw"));

        Assert.Equal(CaenState.LvOff, _device.State);
        Assert.Equal("""{"fsm_state":"LV_OFF"}""", StatusJson(_device).ToJsonString());
    }

    [Fact]
    public async Task The_full_cycle_with_the_guards_in_the_way()
    {
        await StartAsync();

        var refused = await _device.SwitchAsync(PowerKind.Hv, true, _ct);
        Assert.Equal(CommandResult.Refused("HV can only be switched on from LV_ON (crate is LV_OFF)"), refused);
        Assert.Equal((ushort)0, Pv("cleanroom:12:000:Pw"));

        Assert.Equal(CaenState.LvOn, await Ok(_device.SwitchAsync(PowerKind.Lv, true, _ct), 0.3));
        Assert.Equal(CaenState.HvRamp, await Ok(_device.SwitchAsync(PowerKind.Hv, true, _ct), 1));
        Assert.Equal(CaenState.HvRamp, _device.ChannelState("0"));
        Assert.Equal(CaenState.LvOff, _device.ChannelState("spare"));   // monitored, never commanded
        Run(1.5);
        Assert.Equal(CaenState.HvOn, _device.State);

        var lvOff = await _device.SwitchAsync(PowerKind.Lv, false, _ct);
        Assert.Equal("LV can only be switched off when HV is off (crate is HV_ON)", lvOff.Error);

        // HV falls at 100 V/s from 200 V: the crate says it ramps down, and the refusal names that (issue 16, finding 5).
        Assert.Equal(CaenState.HvRampDown, await Ok(_device.SwitchAsync(PowerKind.Hv, false, _ct), 1));
        Assert.Equal(CaenState.HvRampDown, _device.ChannelState("0"));
        Assert.Equal("LV off is refused while HV ramps down (crate is HV_RAMP_DOWN)",
            (await _device.SwitchAsync(PowerKind.Lv, false, _ct)).Error);
        Run(1.5);
        Assert.Equal(CaenState.LvOn, _device.State);
        Assert.Equal(CaenState.LvOff, await Ok(_device.SwitchAsync(PowerKind.Lv, false, _ct), 0.3));
    }

    [Fact]
    public async Task Set_points_are_checked_against_the_limits_and_the_map()
    {
        await StartAsync();

        Assert.Equal("LV setV 15.5 V of channel 0 is above its ovVThr 15 V",
            (await _device.SetVoltageAsync(PowerKind.Lv, "0", 15.5, _ct)).Error);
        Assert.Equal("HV setV 1200 V of channel 0 is above the boards' 1000 V",
            (await _device.SetVoltageAsync(PowerKind.Hv, "0", 1200, _ct)).Error);
        Assert.Equal("-5 V is not a set point", (await _device.SetVoltageAsync(PowerKind.Hv, "0", -5, _ct)).Error);
        Assert.Equal("no channel '7' in test.yml", (await _device.SetVoltageAsync(PowerKind.Hv, "7", 100, _ct)).Error);
        Assert.Equal("channel spare has no module: it is monitored, never commanded",
            (await _device.SetVoltageAsync(PowerKind.Hv, "spare", 100, _ct)).Error);
        Assert.Equal(200.0, Pv("cleanroom:12:000:V0Set"));

        Assert.Equal(CommandResult.Done, await _device.SetVoltageAsync(PowerKind.Hv, "0", 350, _ct));
        Assert.Equal(CommandResult.Done, await _device.SetVoltageAsync(PowerKind.Lv, "1", 11, _ct));
        Run(0.1);
        Assert.Equal(350.0, Pv("cleanroom:12:000:V0Set"));
        var json = ChannelsJson(_device).Single(j => (string?)j["id"] == "0");
        Assert.Equal(350.0, (double)json["hv_setV"]!);
        // The typed reading the panel and the alarms use says the same as the published JSON.
        var reading = _device.Snapshot().Channels.Single(r => r.Config.Id == "0");
        Assert.Equal(350.0, reading.Hv.SetV);
        Assert.Equal((double?)json["lv_vMon"], reading.Lv.VMon);
        Assert.Equal((long?)json["hv_status"], reading.Hv.Status);
        Assert.Equal((string?)json["fsm_state"], reading.State.Wire());

        // A set point changed by command survives an IOC restart: reconnection writes the current settings.
        _access.Disconnect();
        _crate.Find("cleanroom:12:000:V0Set")!.Put(10.0);
        _access.Reconnect();
        Assert.Equal(350.0, Pv("cleanroom:12:000:V0Set"));
        Assert.Equal(11.0, Pv("cleanroom:00:001:V0Set"));
    }

    [Fact]
    public async Task HV_ramp_rates_are_checked_against_the_boards_bounds_and_put_to_RUp_and_RDWn()
    {
        await StartAsync();

        Assert.Equal("HV ramp-up rate 0 V/s of channel 0 is outside the boards' 1…500 V/s",
            (await _device.SetRampAsync("0", 0, null, _ct)).Error);
        Assert.Equal("HV ramp-down rate 600 V/s of channel 0 is outside the boards' 1…500 V/s",
            (await _device.SetRampAsync("0", 20, 600, _ct)).Error);
        Assert.Equal("HV ramp-up rate NaN V/s of channel 0 is outside the boards' 1…500 V/s",
            (await _device.SetRampAsync("0", double.NaN, null, _ct)).Error);
        Assert.Equal("no channel '7' in test.yml", (await _device.SetRampAsync("7", 20, 20, _ct)).Error);
        Assert.Equal("channel spare has no module: it is monitored, never commanded", (await _device.SetRampAsync("spare", 20, 20, _ct)).Error);
        // A refused command changes nothing, not even its valid half.
        Assert.Equal((100.0, 100.0), (Pv("cleanroom:12:000:RUp"), Pv("cleanroom:12:000:RDWn")));

        Assert.Equal(CommandResult.Done, await _device.SetRampAsync("0", 20, null, _ct));
        Assert.Equal((20.0, 100.0), (Pv("cleanroom:12:000:RUp"), Pv("cleanroom:12:000:RDWn")));
        Assert.Equal(CommandResult.Done, await _device.SetRampAsync("0", null, 35, _ct));
        Run(0.1);
        Assert.Equal((20.0, 35.0), (Pv("cleanroom:12:000:RUp"), Pv("cleanroom:12:000:RDWn")));
        var json = ChannelsJson(_device).Single(j => (string?)j["id"] == "0");
        Assert.Equal((20.0, 35.0), ((double)json["hv_rampUpSpeed"]!, (double)json["hv_rampDwnSpeed"]!));

        // The crate ramps at it: 20 V/s from 0 V to the 200 V set point takes 10 s.
        Assert.Equal(CaenState.LvOn, await Ok(_device.SwitchAsync(PowerKind.Lv, true, _ct), 0.3));
        Assert.Equal(CaenState.HvRamp, await Ok(_device.SwitchAsync(PowerKind.Hv, true, _ct), 5));
        Assert.InRange(_device.Snapshot().Channels.Single(r => r.Config.Id == "0").Hv.VMon!.Value, 90, 110);

        // Like a set point, it survives an IOC restart: reconnection writes the current settings.
        _access.Disconnect();
        _crate.Find("cleanroom:12:000:RUp")!.Put(50.0);
        _access.Reconnect();
        Assert.Equal((20.0, 35.0), (Pv("cleanroom:12:000:RUp"), Pv("cleanroom:12:000:RDWn")));
    }

    [Fact]
    public async Task HV_maxV_is_written_to_SVMax_and_bounds_setv_and_its_absence_is_warned_of_once()
    {
        // Channel 0 takes the global maxV, channel 1 its own, and so does the spare channel (its line may be cabled).
        var map = Map.Replace("imRange: Low }", "imRange: Low, maxV: 600. }").Replace("tripMode: Ramp }", "tripMode: Ramp, maxV: 300 }");
        var logger = new ListLogger<CaenDevice>();
        using (var limited = new CaenDevice(ChannelMap.Parse(map, "limited.yml"), _access, "cleanroom", logger))
        {
            Assert.Equal(CommandResult.Done, await limited.StartAsync(_ct));
            Assert.Equal((600.0, 300.0, 600.0), (Pv("cleanroom:12:000:SVMax"), Pv("cleanroom:12:001:SVMax"), Pv("cleanroom:15:011:SVMax")));
            Assert.DoesNotContain(logger.Entries, e => e.Text.Contains("maxV"));
            Run(0.1);
            Assert.Equal(300.0, (double)ChannelsJson(limited).Single(j => (string?)j["id"] == "1")["hv_maxV"]!);

            Assert.Equal("HV setV 300.5 V of channel 1 is above its maxV 300 V",
                (await limited.SetVoltageAsync(PowerKind.Hv, "1", 300.5, _ct)).Error);
            Assert.Equal("HV setV 1200 V of channel 1 is above the boards' 1000 V",
                (await limited.SetVoltageAsync(PowerKind.Hv, "1", 1200, _ct)).Error);
            Assert.Equal(200.0, Pv("cleanroom:12:001:V0Set"));
            Assert.Equal(CommandResult.Done, await limited.SetVoltageAsync(PowerKind.Hv, "1", 300, _ct));
            Assert.Equal(CommandResult.Done, await limited.SetVoltageAsync(PowerKind.Hv, "0", 550, _ct));
        }

        // Without maxV nothing is put to SVMax (the crate keeps what it has) and one warning names the channels.
        _crate.Find("cleanroom:12:000:SVMax")!.Put(450.0);
        var earlier = _access.Puts.Count;
        var unlimited = new ListLogger<CaenDevice>();
        using var controller = new CaenDevice(ChannelMap.Parse(Map, "test.yml"), _access, "cleanroom", unlimited);
        Assert.Equal(CommandResult.Done, await controller.StartAsync(_ct));
        Assert.Equal(450.0, Pv("cleanroom:12:000:SVMax"));
        Assert.Equal(300.0, Pv("cleanroom:12:001:SVMax"));
        var warning = Assert.Single(unlimited.Entries, e => e.Text.Contains("maxV"));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Equal("test.yml sets no hv maxV for channel(s) 0, 1, spare: their hardware voltage limit (SVMax) is left as found on the crate", warning.Text);
        Assert.Equal(CommandResult.Done, await controller.ApplySettingsAsync(_ct));   // a reconnection warns no more
        Assert.Single(unlimited.Entries, e => e.Text.Contains("maxV"));
        Assert.DoesNotContain(_access.Puts.Skip(earlier), p => p.Pv.EndsWith(":SVMax"));
    }

    [Fact]
    public async Task A_trip_is_an_error_until_the_alarm_is_cleared()
    {
        await StartAsync();
        await Ok(_device.SwitchAsync(PowerKind.Lv, true, _ct), 0.3);
        Assert.Equal(CaenState.HvOn, await Ok(_device.SwitchAsync(PowerKind.Hv, true, _ct), 2.5));

        _crate.SetLoad(12, 0, 0.2);   // 200 V into 0.2 MΩ: 1 mA against maxI 500 µA, trips after tripTime 1 s (Kill)
        Run(1.5);
        Assert.Equal(CaenState.Error, _device.ChannelState("0"));
        Assert.Equal(CaenState.HvOn, _device.ChannelState("1"));
        Assert.Equal(CaenState.Error, _device.State);
        Assert.Equal((int)CaenStatus.InternalTrip, (long)ChannelsJson(_device)[0]["hv_status"]!);
        Assert.Equal("HV can only be switched on from LV_ON (crate is ERROR)",
            (await _device.SwitchAsync(PowerKind.Hv, true, _ct)).Error);

        _crate.SetLoad(12, 0, 100);
        Assert.Equal(CaenState.HvMix, await Ok(_device.ClearAlarmsAsync(_ct), 0.1));
        Assert.Equal(CaenState.LvOn, _device.ChannelState("0"));
        Assert.Equal(CaenState.LvOn, await Ok(_device.SwitchAsync(PowerKind.Hv, false, _ct), 2.5));
        Assert.Equal(CaenState.HvOn, await Ok(_device.SwitchAsync(PowerKind.Hv, true, _ct), 2.5));
    }

    [Fact]
    public async Task An_unplugged_board_is_an_error()
    {
        await StartAsync();
        _crate.Unplug(12);
        Assert.Equal(CaenState.Error, _device.State);
        _crate.Unplug(12, unplugged: false);
        Assert.Equal(CaenState.LvOff, _device.State);
    }

    [Fact]
    public async Task A_lost_IOC_makes_the_crate_disconnected_and_commands_refused()
    {
        await StartAsync();
        await Ok(_device.SwitchAsync(PowerKind.Lv, true, _ct), 0.3);

        _access.Disconnect();
        Assert.Equal(CaenState.Disconnected, _device.State);
        Assert.Equal(CaenState.Disconnected, _device.ChannelState("spare"));
        Assert.Equal("cannot command HV: the crate is not reachable (crate is DISCONNECTED)",
            (await _device.SwitchAsync(PowerKind.Hv, false, _ct)).Error);
        var json = ChannelsJson(_device)[0];
        Assert.False(json.ContainsKey("lv_vMon"));
        Assert.Equal("DISCONNECTED", (string?)json["fsm_state"]);

        _access.Reconnect();
        Assert.Equal(CaenState.LvOn, _device.State);
    }

    [Fact]
    public async Task A_failed_put_becomes_a_refusal_naming_the_PV()
    {
        var lost = new CaenDevice(ChannelMap.Parse(Map, "test.yml"), _access, "wrongroom");
        var result = await lost.StartAsync(_ct);
        Assert.False(result.Ok);
        Assert.StartsWith("wrongroom:00:000:V0Set: no PV named wrongroom:00:000:V0Set", result.Error);
        Assert.Equal(CaenState.Connected, lost.State);   // reachable, but no channel ever read
        lost.Dispose();
    }

    [Fact]
    public async Task Channel_objects_carry_the_seed_keys_and_readings_within_dead_bands_stay_quiet()
    {
        await StartAsync();
        await Ok(_device.SwitchAsync(PowerKind.Lv, true, _ct), 0.3);
        await Ok(_device.SwitchAsync(PowerKind.Hv, true, _ct), 2.5);

        var json = ChannelsJson(_device).Single(j => (string?)j["id"] == "1");
        Assert.Equal(
            ["id", "module", "lv_board", "lv_channel", "hv_board", "hv_channel",
             "lv_setV", "lv_maxI", "lv_tripTime", "lv_tripInt", "lv_tripExt", "lv_status", "lv_vMon", "lv_iMon",
             "lv_unVthr", "lv_ovVthr", "lv_rampUpTime", "lv_rampDwnTime", "lv_temp",
             "hv_setV", "hv_maxI", "hv_tripTime", "hv_tripInt", "hv_tripExt", "hv_status", "hv_vMon", "hv_iMon",
             "hv_rampUpSpeed", "hv_rampDwnSpeed", "hv_imRange", "hv_tripMode", "hv_maxV", "fsm_state"],
            json.Select(p => p.Key));
        Assert.Equal(("module_1", 0, 1, 12, 1), ((string?)json["module"], (int)json["lv_board"]!, (int)json["lv_channel"]!, (int)json["hv_board"]!, (int)json["hv_channel"]!));
        Assert.Equal(10.5, (double)json["lv_vMon"]!, 0.01);
        Assert.Equal(200, (double)json["hv_vMon"]!, 0.01);
        Assert.Equal(2, (double)json["hv_iMon"]!, 0.01);
        Assert.Equal((1L, 1L, 17L, 1L, 0L), ((long)json["lv_status"]!, (long)json["hv_status"]!, (long)json["hv_tripExt"]!, (long)json["hv_imRange"]!, (long)json["hv_tripMode"]!));
        Assert.Equal("HV_ON", (string?)json["fsm_state"]);

        var changes = 0;
        _device.Changed += () => changes++;

        Run(5);
        Assert.Equal(0, changes);
        _crate.SetLoad(12, 1, 50);   // 4 µA instead of 2: a real change
        Assert.True(changes > 0);
    }

    [Fact]
    public async Task The_repository_map_runs_the_demo_stand_up_to_HV_ON()
    {
        var map = ChannelMap.Load(Path.Combine(ChannelMapTests.RepositoryRoot(), "channels.yml"));
        using var demo = new CaenDevice(map, _access, "cleanroom");
        Assert.True((await demo.StartAsync(_ct)).Ok);
        Run(0.1);
        Assert.Equal(CaenState.LvOff, demo.State);
        Assert.True((await demo.SwitchAsync(PowerKind.Lv, true, _ct)).Ok);
        Run(0.5);
        Assert.True((await demo.SwitchAsync(PowerKind.Hv, true, _ct)).Ok);
        Run(5);   // 200 V at 50 V/s
        Assert.Equal(CaenState.HvOn, demo.State);
        Assert.All(ChannelsJson(demo), json => Assert.Equal(200, (double)json["hv_vMon"]!, 0.01));
    }

    /// <summary>The one test on the real clock: the crate's own tick loop, monitors and commands on other threads at once, without deadlock.</summary>
    [Fact]
    public async Task The_real_tick_loop_and_commands_from_other_threads_get_along()
    {
        using var crate = new SimulatedCaenCrate("cleanroom");
        var access = new InProcessPvAccess(crate);
        using var controller = new CaenDevice(ChannelMap.Parse(Map, "test.yml"), access, "cleanroom");
        crate.Start(TimeSpan.FromMilliseconds(10));
        Assert.True((await controller.StartAsync(_ct)).Ok);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            for (var n = 0; n < 20; n++)
            {
                await controller.SetVoltageAsync(PowerKind.Hv, (i % 2).ToString(), 100 + n, _ct);
                _ = ChannelsJson(controller);
            }
        }, _ct)));
        Assert.True((await controller.SwitchAsync(PowerKind.Lv, true, _ct)).Ok);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (controller.State != CaenState.LvOn && DateTime.UtcNow < deadline) await Task.Delay(10, _ct);
        Assert.Equal(CaenState.LvOn, controller.State);
        crate.Stop();
    }
}
