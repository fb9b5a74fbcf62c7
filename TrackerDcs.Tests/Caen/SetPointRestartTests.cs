using System.Text.Json;
using TrackerDcs.Tests.ChannelAccess;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Caen;

/// <summary>
/// Issue 20, finding 3: module_1's HV was set to 150 V, the stand was restarted, and it showed channels.yml's
/// 200 V again, written to the crate at start. The real process on one data directory, restarted: the operator's
/// set point is written again (the simulated crate starts from its defaults with the process, so whatever it holds
/// after the restart was written by the start), unless channels.yml's bounds refuse it now.
/// </summary>
public sealed class SetPointRestartTests : IAsyncLifetime
{
    private const string Prefix = "cleanroom";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private static readonly string[] Oscar = Mosquitto.Auth("oscar", "oscar-password-1");
    private StandProcess _stand = null!;
    private string _channels = null!;

    private static string Channels(double maxV) => $$"""
        name: dcs
        channels:
          "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }
          "1": { module: module_1, lv: { board: 0, chan: 1 }, hv: { board: 12, chan: 1 } }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 200., maxI: 500., rampUpSpeed: 100., rampDwnSpeed: 100., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low, maxV: {{maxV}} }
        """;

    public async Task InitializeAsync()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-setpoints-").FullName;
        _channels = Path.Combine(directory, "channels.yml");
        await File.WriteAllTextAsync(_channels, Channels(maxV: 600));
        _stand = new StandProcess(new Dictionary<string, string> { ["Caen:ChannelsFile"] = _channels }, directory);
        await _stand.StartAsync();
        await _stand.AddUserAsync("oscar", "operator", "oscar-password-1");
    }

    public async Task DisposeAsync() => await _stand.DisposeAsync();

    private int CaPort => int.Parse(_stand.Setting("Caen:SimulatorPort"));

    private async Task<string> V0SetAsync(string pv)
    {
        var name = $"{Prefix}:{pv}:V0Set";
        var result = await PyEpics.RunAsync($$"""
            import epics, json
            pv = epics.PV({{JsonSerializer.Serialize(name)}}, auto_monitor=False)
            pv.wait_for_connection(timeout=10)
            print(json.dumps({'v': pv.get(as_string=True, timeout=10)}))
            """, CaPort);
        return result.GetProperty("v").GetString()!;
    }

    /// <summary>The retained dcs/channels/&lt;id&gt; object once its hv_setV is this value.</summary>
    private async Task<JsonElement> ChannelShowsAsync(string id, double hvSetV)
    {
        var last = "";
        for (var deadline = DateTime.UtcNow + Wait; DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            last = (await Mosquitto.SubAsync(_stand.MqttPort, [.. Admin, "-t", $"dcs/channels/{id}", "-C", "1", "-W", "5"])).Stdout.Trim();
            if (last.Length > 0 && JsonDocument.Parse(last).RootElement is var channel
                && channel.TryGetProperty("hv_setV", out var v) && v.GetDouble() == hvSetV)
                return channel;
        }
        throw new TimeoutException($"dcs/channels/{id} never showed hv_setV {hvSetV}; last {last}\n{_stand.Log[^Math.Min(_stand.Log.Length, 4000)..]}");
    }

    private async Task SetAsync(string id, double volts)
    {
        await using var replies = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["dcs/reply"]);
        var reply = await replies.CommandAsync(_stand.MqttPort, Oscar, $"dcs/cmd/setv/hv/{id}", volts.ToString(System.Globalization.CultureInfo.InvariantCulture), Wait);
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        await ChannelShowsAsync(id, volts);
    }

    private async Task RestartAsync()
    {
        await _stand.StopAsync();
        await _stand.StartAsync();
        await _stand.WaitReadyAsync(Wait);
    }

    [Fact]
    public async Task An_hv_set_point_survives_a_restart_unless_the_files_maxV_now_refuses_it()
    {
        await ChannelShowsAsync("1", 200);
        await SetAsync("1", 150);

        await RestartAsync();
        Assert.Equal("150.000", await V0SetAsync("12:001"));
        Assert.Equal("200.000", await V0SetAsync("12:000"));
        await ChannelShowsAsync("1", 150);
        Assert.Contains("Channel 1 HV: the 150 V set by oscar at ", _stand.Log);
        Assert.Contains("is written instead of", _stand.Log);

        // A set point the file's bound now forbids is refused at start and said so; the file's value is written.
        await SetAsync("1", 500);
        await File.WriteAllTextAsync(_channels, Channels(maxV: 300));
        await RestartAsync();
        Assert.Equal("200.000", await V0SetAsync("12:001"));
        await ChannelShowsAsync("1", 200);
        Assert.Contains("Channel 1 HV: the 500 V set by oscar at ", _stand.Log);
        Assert.Contains("is refused (HV setV 500 V of channel 1 is above its maxV 300 V): the file's 200 V is written", _stand.Log);
    }
}
