using System.Text.Json;
using TrackerDcs.Tests.ChannelAccess;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Caen;

/// <summary>
/// A map like the seed's example (Data/seed-example-channels.yml: two modules and a spare channel) on the real
/// process and its simulated crate: every channel's settings, the spare's too, read back over Channel Access by
/// libca (pyepics) as the map says; only the modules' channels are switched.
/// </summary>
public sealed class SeedChannelMapStandTests
{
    private const string Prefix = "cleanroom";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    // What the map asks of each channel, field by field (PV suffix → value; enums as their index: PDwn Kill = 1,
    // ImRange Low = 1). The global settings, then module_0's own LV set point.
    private static readonly Dictionary<string, double> Lv = new()
    {
        ["V0Set"] = 12, ["I0Set"] = 2.5, ["OVVThr"] = 15, ["UNVThr"] = 0, ["Trip"] = 10,
        ["TripInt"] = 0, ["TripExt"] = 0b00010001, ["RUpTime"] = 100, ["RDwTime"] = 100,
    };
    private static readonly Dictionary<string, double> Hv = new()
    {
        ["V0Set"] = 200, ["I0Set"] = 500, ["RUp"] = 50, ["RDWn"] = 50, ["Trip"] = 10,
        ["TripInt"] = 0, ["TripExt"] = 0b00010001, ["PDwn"] = 1, ["ImRange"] = 1,
    };

    private static IEnumerable<(string Channel, string Pv, double Value)> Expected()
    {
        foreach (var (id, lv, hv) in new[] { ("0", "00:000", "12:000"), ("1", "00:001", "12:001"), ("2", "00:002", "12:002") })
        {
            foreach (var (field, value) in Lv)
                yield return (id, $"{Prefix}:{lv}:{field}", id == "0" && field == "V0Set" ? 13.0 : value);
            foreach (var (field, value) in Hv)
                yield return (id, $"{Prefix}:{hv}:{field}", value);
        }
    }

    [Fact]
    public async Task Every_channel_of_the_map_spare_included_holds_its_settings_and_only_modules_switch()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-seedmap-").FullName;
        var map = Path.Combine(directory, "channels.yml");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Caen", "Data", "seed-example-channels.yml"), map);
        await using var stand = new StandProcess(new Dictionary<string, string> { ["Caen:ChannelsFile"] = map }, directory);
        await stand.StartAsync();
        var caPort = int.Parse(stand.Setting("Caen:SimulatorPort"));
        // 9 LV and 9 HV settings for each of the 3 channels (the seed's map has no maxV, so SVMax is not written).
        await Eventually.True(() => stand.Log.Contains("Wrote 54 settings of"), "the 54 settings of the map written to the crate", seconds: 30);

        var expected = Expected().ToList();
        var crate = await CagetAsync(caPort, [.. expected.Select(e => e.Pv)]);
        var wrong = expected.Where(e => Math.Abs(crate.GetProperty(e.Pv).GetDouble() - e.Value) > 1e-6)
            .Select(e => $"channel {e.Channel} {e.Pv} = {crate.GetProperty(e.Pv)}, the map says {e.Value}").ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));

        // Only the modules' channels take LV on; the spare one stays off.
        await using var replies = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/status", "dcs/reply"]);
        var reply = await replies.CommandAsync(stand.MqttPort, Admin, "dcs/cmd/switch/lv", "on", Wait);
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        await replies.WaitOnAsync("dcs/status", p => p.Contains("\"LV_ON\""), Wait, "dcs/status LV_ON");
        var power = await CagetAsync(caPort, $"{Prefix}:00:000:Pw", $"{Prefix}:00:001:Pw", $"{Prefix}:00:002:Pw");
        Assert.Equal([1.0, 1.0, 0.0], [.. new[] { "00:000", "00:001", "00:002" }.Select(c => power.GetProperty($"{Prefix}:{c}:Pw").GetDouble())]);
    }

    /// <summary>The PVs' values as numbers (enums as their index), read by libca.</summary>
    private static Task<JsonElement> CagetAsync(int port, params string[] pvs) => PyEpics.RunAsync($$"""
        import epics, json
        out = {}
        for name in {{JsonSerializer.Serialize(pvs)}}:
            pv = epics.PV(name, auto_monitor=False)
            pv.wait_for_connection(timeout=10)
            out[name] = pv.get(timeout=10)
        print(json.dumps(out))
        """, port);
}
