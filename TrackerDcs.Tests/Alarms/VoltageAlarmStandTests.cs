using System.Diagnostics;
using System.Text.Json;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Alarms;

/// <summary>
/// The CAEN over- and under-voltage alarms, caused through the simulated crate's regulation fault
/// (/api/simulator/caen/drift) and cleared again. Their own stand: the shipped channels.yml has unVThr 0,
/// under which no output can fall, so this map sets a floor of 10 V and gives channel 1 a slow LV ramp.
/// </summary>
public sealed class VoltageAlarmStandTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private const double RampSeconds = 4;

    private const string Channels = """
        name: dcs
        channels:
          "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }
          "1": { module: module_1, lv: { board: 0, chan: 1, rampUpTime: 4000. }, hv: { board: 12, chan: 1 } }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 10., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 200., maxI: 500., rampUpSpeed: 50., rampDwnSpeed: 50., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low, maxV: 600. }
        """;

    private StandProcess _stand = null!;
    private MosquittoSubscriber _alarms = null!;

    public async Task InitializeAsync()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-voltage-alarms-").FullName;
        var channels = Path.Combine(directory, "channels.yml");
        await File.WriteAllTextAsync(channels, Channels);
        _stand = new StandProcess(new Dictionary<string, string> { ["Caen:ChannelsFile"] = channels }, directory);
        await _stand.StartAsync();
        _alarms = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["alarms/active", "dcs/channels/1"]);
    }

    public async Task DisposeAsync()
    {
        await _alarms.DisposeAsync();
        await _stand.DisposeAsync();
    }

    private Task<ProcessResult> Publish(string topic, string payload) =>
        Mosquitto.PubAsync(_stand.MqttPort, [.. Admin, "-q", "1", "-t", topic, "-m", payload]);

    private async Task StatusAsync(string state)
    {
        for (var deadline = DateTime.UtcNow + Wait; DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var status = await Mosquitto.SubAsync(_stand.MqttPort, [.. Admin, "-t", "dcs/status", "-C", "1", "-W", "5"]);
            if (status.Stdout.Contains($"\"{state}\"")) return;
        }
        throw new TimeoutException($"crate never {state}");
    }

    [Fact]
    public async Task An_LV_output_drifting_above_ovVThr_raises_over_voltage_until_the_regulator_recovers()
    {
        await StatusAsync("LV_OFF");
        await Publish("dcs/cmd/switch/lv", "on");
        await StatusAsync("LV_ON");
        // 12 V + 4 V = 16 V, above ovVThr 15 V: the board sets status bit 4.
        await _stand.PostAsAdminAsync("/api/simulator/caen/drift/0/0?volts=4");
        var active = await _alarms.RaisedAsync("caen.overvoltage:0/lv");
        var alarm = ActiveAlarms.Find(active, "caen.overvoltage:0/lv")!.Value;
        Assert.Equal("major", alarm.GetProperty("severity").GetString());
        Assert.Equal("LV of channel 0 (module_0) is over voltage", alarm.GetProperty("message").GetString());
        Assert.Null(ActiveAlarms.Find(active, "caen.undervoltage:0/lv"));

        // The simulated board does not latch over-voltage: no dcs/cmd/clear is needed once the output is back.
        await _stand.PostAsAdminAsync("/api/simulator/caen/drift/0/0?volts=0");
        await _alarms.ActiveWhereAsync(l => l.All(a => !a.GetProperty("key").GetString()!.StartsWith("caen.")), "no CAEN alarm");
    }

    [Fact]
    public async Task An_LV_output_sagging_under_unVThr_raises_under_voltage_but_not_while_it_ramps_up()
    {
        await StatusAsync("LV_OFF");
        // The regulator sags 3 V: channel 1 settles at 9 V, under unVThr 10 V, after a 4 s ramp spent under it.
        await _stand.PostAsAdminAsync("/api/simulator/caen/drift/0/1?volts=-3");
        var switched = Stopwatch.StartNew();
        await Publish("dcs/cmd/switch/lv", "on");
        var active = await _alarms.RaisedAsync("caen.undervoltage:1/lv");
        var raisedAfter = switched.Elapsed;
        var alarm = ActiveAlarms.Find(active, "caen.undervoltage:1/lv")!.Value;
        Assert.Equal("warning", alarm.GetProperty("severity").GetString());
        Assert.Equal("LV of channel 1 (module_1) is under voltage", alarm.GetProperty("message").GetString());

        // Meanwhile the channel ramped under unVThr, and no alarm came before the ramp was over.
        var ramping = new List<double>();
        while (await _alarms.NextOnAsync("dcs/channels/1", TimeSpan.FromMilliseconds(100)) is { } payload)
        {
            var channel = JsonDocument.Parse(payload).RootElement;
            if (channel.TryGetProperty("lv_status", out var status) && (status.GetInt32() & 2) != 0)
                ramping.Add(channel.GetProperty("lv_vMon").GetDouble());
        }
        Assert.Contains(ramping, volts => volts < 10);
        Assert.True(raisedAfter >= TimeSpan.FromSeconds(RampSeconds - 0.5), $"under-voltage raised {raisedAfter.TotalSeconds:0.0} s after LV on, within the {RampSeconds} s ramp");

        await _stand.PostAsAdminAsync("/api/simulator/caen/drift/0/1?volts=0");
        await _alarms.ActiveWhereAsync(l => l.All(a => !a.GetProperty("key").GetString()!.StartsWith("caen.")), "no CAEN alarm");
    }
}
