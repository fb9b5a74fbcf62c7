using System.Text.Json;
using TrackerDcs.Tests.ChannelAccess;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Caen;

/// <summary>
/// The CAEN crate end to end: the running process serves its simulated SY4527 over Channel Access, drives it
/// through its own CA client, and is commanded with mosquitto_pub; libca (pyepics) reads the crate beside it.
/// </summary>
public sealed class CaenStandTests : IAsyncLifetime
{
    private const string Prefix = "cleanroom";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private StandProcess _stand = null!;
    private MosquittoSubscriber _status = null!;

    // Channel 0–2 are modules; channel "spare" (LV 1/0, HV 13/0) is monitored and must never be commanded.
    // Channel 1 has its own HV maxV (SVMax), the others the global one.
    private const string Channels = """
        name: dcs
        channels:
          "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }
          "1": { module: module_1, lv: { board: 0, chan: 1 }, hv: { board: 12, chan: 1, maxV: 300 } }
          "2": { module: module_2, lv: { board: 0, chan: 2, setV: 11.5 }, hv: { board: 12, chan: 2 } }
          "spare": { lv: { board: 1, chan: 0 }, hv: { board: 13, chan: 0 } }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 200., maxI: 500., rampUpSpeed: 100., rampDwnSpeed: 100., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low, maxV: 600. }
        """;

    public async Task InitializeAsync()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-caen-").FullName;
        var channels = Path.Combine(directory, "channels.yml");
        await File.WriteAllTextAsync(channels, Channels);
        _stand = new StandProcess(new Dictionary<string, string> { ["Caen:ChannelsFile"] = channels }, directory);
        await _stand.StartAsync();
        _status = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["dcs/status", "dcs/reply"]);
        await StatusAsync("LV_OFF");
    }

    public async Task DisposeAsync()
    {
        await _status.DisposeAsync();
        await _stand.DisposeAsync();
    }

    private int CaPort => int.Parse(_stand.Setting("Caen:SimulatorPort"));

    /// <summary>Waits for dcs/status to show the state; returns the states seen on the way.</summary>
    private async Task<List<string>> StatusAsync(string state)
    {
        var seen = new List<string>();
        try
        {
            await _status.WaitOnAsync("dcs/status", payload =>
            {
                seen.Add(JsonDocument.Parse(payload).RootElement.GetProperty("fsm_state").GetString()!);
                return seen[^1] == state;
            }, Wait, state);
        }
        catch (TimeoutException e)
        {
            // The process's own log says what the crate did meanwhile.
            throw new TimeoutException($"{e.Message}\n{_stand.Log[^Math.Min(_stand.Log.Length, 6000)..]}", e);
        }
        return seen;
    }

    private Task<JsonElement> ReplyAsync(string topic, string payload) => _status.CommandAsync(_stand.MqttPort, Admin, topic, payload, Wait);

    /// <summary>A command that must be accepted; a refusal fails the test with its reason.</summary>
    private async Task AcceptedAsync(string topic, string payload)
    {
        var reply = await ReplyAsync(topic, payload);
        Assert.True(reply.GetProperty("ok").GetBoolean(), $"{topic} {payload}: {reply}");
    }

    private Task<JsonElement> CagetAsync(params string[] pvs) => PyEpics.RunAsync($$"""
        import epics, json
        pvs = {{JsonSerializer.Serialize(pvs)}}
        out = {}
        for name in pvs:
            pv = epics.PV(name, auto_monitor=False)
            pv.wait_for_connection(timeout=10)
            out[name] = pv.get(as_string=True, timeout=10)
        print(json.dumps(out))
        """, CaPort);

    [Fact]
    public async Task Lv_then_hv_on_ramps_to_hv_on_and_setv_reaches_the_crate()
    {
        var refused = await ReplyAsync("dcs/cmd/switch/hv", "on");
        Assert.False(refused.GetProperty("ok").GetBoolean());
        Assert.Equal("HV can only be switched on from LV_ON (crate is LV_OFF)", refused.GetProperty("error").GetString());

        Assert.True((await ReplyAsync("dcs/cmd/switch/lv", "on")).GetProperty("ok").GetBoolean());
        await StatusAsync("LV_ON");
        Assert.True((await ReplyAsync("dcs/cmd/switch/hv", "on")).GetProperty("ok").GetBoolean());
        var seen = await StatusAsync("HV_ON");
        Assert.Contains("HV_RAMP", seen);

        // Asked before the set point changes: 200 V to 150 V ramps down for 0.5 s, and a slow mosquitto_pub would
        // then find the crate in HV_RAMP_DOWN instead.
        var lvOff = await ReplyAsync("dcs/cmd/switch/lv", "off");
        Assert.Equal("LV can only be switched off when HV is off (crate is HV_ON)", lvOff.GetProperty("error").GetString());
        Assert.True((await ReplyAsync("dcs/cmd/setv/hv/1", "150")).GetProperty("ok").GetBoolean());

        var crate = await CagetAsync($"{Prefix}:12:001:V0Set", $"{Prefix}:12:000:V0Set", $"{Prefix}:00:002:V0Set",
            $"{Prefix}:12:000:Pw", $"{Prefix}:01:000:Pw", $"{Prefix}:13:000:Pw", $"{Prefix}:12:000:PDwn", $"{Prefix}:12:000:ImRange");
        Assert.Equal("150.000", crate.GetProperty($"{Prefix}:12:001:V0Set").GetString());
        Assert.Equal("200.000", crate.GetProperty($"{Prefix}:12:000:V0Set").GetString());
        Assert.Equal("11.500", crate.GetProperty($"{Prefix}:00:002:V0Set").GetString());
        Assert.Equal("On", crate.GetProperty($"{Prefix}:12:000:Pw").GetString());
        // The spare channel has no module: monitored, never commanded.
        Assert.Equal("Off", crate.GetProperty($"{Prefix}:01:000:Pw").GetString());
        Assert.Equal("Off", crate.GetProperty($"{Prefix}:13:000:Pw").GetString());
        Assert.Equal("Kill", crate.GetProperty($"{Prefix}:12:000:PDwn").GetString());
        Assert.Equal("Low", crate.GetProperty($"{Prefix}:12:000:ImRange").GetString());

        Assert.True((await ReplyAsync("dcs/cmd/switch/hv", "off")).GetProperty("ok").GetBoolean());
        await StatusAsync("LV_ON");
        Assert.True((await ReplyAsync("dcs/cmd/switch/lv", "off")).GetProperty("ok").GetBoolean());
        await StatusAsync("LV_OFF");
    }

    [Theory]
    [InlineData("dcs/cmd/setv/hv/0", "abc", "payload 'abc' is not a voltage in volts")]
    [InlineData("dcs/cmd/setv/hv/0", "-5", "-5 V is not a set point")]
    [InlineData("dcs/cmd/setv/hv/0", "1e9", "above the boards'")]
    [InlineData("dcs/cmd/setv/hv/0", "NaN", "NaN V is not a set point")]
    [InlineData("dcs/cmd/setv/lv/0", "20", "above its ovVThr 15 V")]
    [InlineData("dcs/cmd/setv/hv/42", "100", "no channel '42'")]
    [InlineData("dcs/cmd/setv/hv/spare", "100", "channel spare has no module")]
    [InlineData("dcs/cmd/switch/lv", "maybe", "payload 'maybe' is neither on nor off")]
    [InlineData("dcs/cmd/explode", "", "unknown command topic 'dcs/cmd/explode'")]
    public async Task Bad_input_is_refused_with_its_reason_and_nothing_is_put(string topic, string payload, string reason)
    {
        var reply = await ReplyAsync(topic, payload);
        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Contains(reason, reply.GetProperty("error").GetString());
        var crate = await CagetAsync($"{Prefix}:12:000:V0Set", $"{Prefix}:00:000:V0Set", $"{Prefix}:00:000:Pw", $"{Prefix}:13:000:V0Set");
        Assert.Equal("200.000", crate.GetProperty($"{Prefix}:12:000:V0Set").GetString());
        Assert.Equal("12.000", crate.GetProperty($"{Prefix}:00:000:V0Set").GetString());
        Assert.Equal("Off", crate.GetProperty($"{Prefix}:00:000:Pw").GetString());
    }

    /// <summary>Waits for the retained dcs/channels/&lt;id&gt; object to satisfy the condition; returns it.</summary>
    private async Task<JsonElement> ChannelAsync(string id, Func<JsonElement, bool> condition, string what)
    {
        var last = "";
        for (var deadline = DateTime.UtcNow + Wait; DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            last = (await Mosquitto.SubAsync(_stand.MqttPort, [.. Admin, "-t", $"dcs/channels/{id}", "-C", "1", "-W", "5"])).Stdout.Trim();
            if (last.Length > 0 && JsonDocument.Parse(last).RootElement is var channel && condition(channel)) return channel;
        }
        throw new TimeoutException($"dcs/channels/{id} never showed {what}; last {last}");
    }

    private static bool HasMaxV(JsonElement channel, double volts) =>
        channel.TryGetProperty("hv_maxV", out var maxV) && maxV.GetDouble() == volts;

    [Fact]
    public async Task Every_hv_channel_holds_its_maxV_in_SVMax_after_start()
    {
        // The driver reads SVMax back once written: its channel objects carry it as hv_maxV.
        await ChannelAsync("2", c => HasMaxV(c, 600), "hv_maxV 600");
        await ChannelAsync("1", c => HasMaxV(c, 300), "hv_maxV 300");

        var crate = await CagetAsync($"{Prefix}:12:000:SVMax", $"{Prefix}:12:001:SVMax", $"{Prefix}:12:002:SVMax", $"{Prefix}:13:000:SVMax",
            $"{Prefix}:00:002:OVVThr", $"{Prefix}:00:002:UNVThr");
        Assert.Equal("600.000", crate.GetProperty($"{Prefix}:12:000:SVMax").GetString());
        Assert.Equal("300.000", crate.GetProperty($"{Prefix}:12:001:SVMax").GetString());   // the channel's own
        Assert.Equal("600.000", crate.GetProperty($"{Prefix}:12:002:SVMax").GetString());
        // The spare channel is never switched, but its line may be cabled: it holds the map's limit too.
        Assert.Equal("600.000", crate.GetProperty($"{Prefix}:13:000:SVMax").GetString());
        // The LV side's hardware limit is its over-voltage threshold, written likewise.
        Assert.Equal("15.000", crate.GetProperty($"{Prefix}:00:002:OVVThr").GetString());
        Assert.Equal(0.0, double.Parse(crate.GetProperty($"{Prefix}:00:002:UNVThr").GetString()!, System.Globalization.CultureInfo.InvariantCulture));   // pyepics prints 0.0 as "0"
        Assert.DoesNotContain("sets no hv maxV", _stand.Log);
    }

    [Fact]
    public async Task The_crate_itself_holds_the_output_at_SVMax_whatever_another_client_puts_to_V0Set()
    {
        await ChannelAsync("2", c => HasMaxV(c, 600), "hv_maxV 600");
        // Straight to the crate through libca, past TrackerDcs and its checks: the board is the last guard.
        var result = await PyEpics.RunAsync($$"""
            import epics, json, time
            p = '{{Prefix}}:12:002:'
            out = {}
            out['put_v0set'] = epics.caput(p + 'V0Set', 700.0, wait=True, timeout=10)
            epics.caput(p + 'RUp', 500.0, wait=True, timeout=10)
            out['put_pw'] = epics.caput(p + 'Pw', 'On', wait=True, timeout=10)
            vmon = epics.PV(p + 'VMon', auto_monitor=False)
            vmon.wait_for_connection(timeout=10)
            deadline = time.time() + 15
            # Settled: within the range the samples below must stay in (under load the ramp's last step comes late).
            while time.time() < deadline and (vmon.get(timeout=5) or 0) < 599.99:
                time.sleep(0.1)
            samples = []
            for _ in range(10):
                samples.append(vmon.get(timeout=5))
                time.sleep(0.1)
            out['vmon'] = samples
            out['status'] = epics.caget(p + 'Status', timeout=5)
            out['v0set'] = epics.caget(p + 'V0Set', timeout=5)
            out['svmax'] = epics.caget(p + 'SVMax', timeout=5)
            print(json.dumps(out))
            """, CaPort);

        Assert.Equal(1, result.GetProperty("put_v0set").GetInt32());
        Assert.Equal(1, result.GetProperty("put_pw").GetInt32());
        Assert.Equal(700.0, result.GetProperty("v0set").GetDouble());
        Assert.Equal(600.0, result.GetProperty("svmax").GetDouble());
        Assert.All(result.GetProperty("vmon").EnumerateArray(), v => Assert.InRange(v.GetDouble(), 599.99, 600.01));
        var status = result.GetProperty("status").GetInt32();
        Assert.True((status & 0x80) != 0, $"status {status} lacks bit 7 (at max V)");
        Assert.Equal(1, status & 1);
    }

    [Fact]
    public async Task Setv_above_the_channels_maxV_is_refused_with_the_limit_and_nothing_is_put()
    {
        await ChannelAsync("1", c => HasMaxV(c, 300), "hv_maxV 300");
        var reply = await ReplyAsync("dcs/cmd/setv/hv/1", "350");
        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Equal("HV setV 350 V of channel 1 is above its maxV 300 V", reply.GetProperty("error").GetString());
        // Channel 0 has the global limit: 350 V is fine there, 650 V is not.
        await AcceptedAsync("dcs/cmd/setv/hv/0", "350");
        Assert.Contains("above its maxV 600 V", (await ReplyAsync("dcs/cmd/setv/hv/0", "650")).GetProperty("error").GetString());

        var crate = await CagetAsync($"{Prefix}:12:001:V0Set", $"{Prefix}:12:001:SVMax", $"{Prefix}:12:000:V0Set");
        Assert.Equal("200.000", crate.GetProperty($"{Prefix}:12:001:V0Set").GetString());
        Assert.Equal("300.000", crate.GetProperty($"{Prefix}:12:001:SVMax").GetString());
        Assert.Equal("350.000", crate.GetProperty($"{Prefix}:12:000:V0Set").GetString());
    }

    [Fact]
    public async Task A_trip_puts_the_crate_in_error_and_clear_brings_it_back()
    {
        await AcceptedAsync("dcs/cmd/switch/lv", "on");
        await StatusAsync("LV_ON");
        await AcceptedAsync("dcs/cmd/switch/hv", "on");
        await StatusAsync("HV_ON");
        await _stand.PostAsAdminAsync("/api/simulator/caen/trip/12/1");
        await StatusAsync("ERROR");
        var channel = await Mosquitto.SubAsync(_stand.MqttPort, [.. Admin, "-t", "dcs/channels/1", "-C", "1", "-W", "10"]);
        Assert.Contains("\"fsm_state\":\"ERROR\"", channel.Stdout);
        Assert.True((await ReplyAsync("dcs/cmd/clear", "")).GetProperty("ok").GetBoolean());
        // Kill mode: the tripped channel's HV is off once cleared, the others still on.
        await StatusAsync("HV_MIX");
    }

    [Fact]
    public async Task A_restarted_ioc_is_found_again_without_a_reconnect_command()
    {
        await AcceptedAsync("dcs/cmd/switch/lv", "on");
        await StatusAsync("LV_ON");
        await _stand.PostAsAdminAsync("/api/simulator/caen/ioc/stop");
        await StatusAsync("DISCONNECTED");
        var restarted = DateTime.UtcNow;
        await _stand.PostAsAdminAsync("/api/simulator/caen/ioc/start");
        await StatusAsync("LV_ON");
        Assert.True(DateTime.UtcNow - restarted < TimeSpan.FromSeconds(5), $"back after {DateTime.UtcNow - restarted}");
    }

    [Fact]
    public async Task Reload_applies_a_changed_map_and_refuses_a_broken_one()
    {
        var path = _stand.Setting("Caen:ChannelsFile");
        await File.WriteAllTextAsync(path, Channels.Replace("setV: 11.5", "setV: 10.5"));
        Assert.True((await ReplyAsync("dcs/cmd/reload", "")).GetProperty("ok").GetBoolean());
        Assert.Equal("10.500", (await CagetAsync($"{Prefix}:00:002:V0Set")).GetProperty($"{Prefix}:00:002:V0Set").GetString());

        await File.WriteAllTextAsync(path, Channels.Replace("board: 12, chan: 1", "board: 12, chan: 0"));
        var refused = await ReplyAsync("dcs/cmd/reload", "");
        Assert.False(refused.GetProperty("ok").GetBoolean());
        Assert.Contains("channels.yml:4", refused.GetProperty("error").GetString());
        Assert.Contains("HV board 12 channel 0 is already used by channel 0", refused.GetProperty("error").GetString());
    }
}
