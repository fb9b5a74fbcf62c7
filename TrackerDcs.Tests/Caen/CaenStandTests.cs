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
    private const string Channels = """
        name: dcs
        channels:
          "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }
          "1": { module: module_1, lv: { board: 0, chan: 1 }, hv: { board: 12, chan: 1 } }
          "2": { module: module_2, lv: { board: 0, chan: 2, setV: 11.5 }, hv: { board: 12, chan: 2 } }
          "spare": { lv: { board: 1, chan: 0 }, hv: { board: 13, chan: 0 } }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 200., maxI: 500., rampUpSpeed: 100., rampDwnSpeed: 100., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low }
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

        Assert.True((await ReplyAsync("dcs/cmd/setv/hv/1", "150")).GetProperty("ok").GetBoolean());
        var lvOff = await ReplyAsync("dcs/cmd/switch/lv", "off");
        Assert.Equal("LV can only be switched off when HV is off (crate is HV_ON)", lvOff.GetProperty("error").GetString());

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
