using System.Text.Json;
using System.Text.Json.Nodes;
using TrackerDcs.Tests.ChannelAccess;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Migration;

/// <summary>
/// The migration guide's Node-RED part (docs/migrating-from-the-seed-stack.md): Node-RED 4 from npm, a flow on the
/// seed's topics (Data/seed-topics-flow.json) whose mqtt-broker node has an operator's credentials, deployed
/// through Node-RED's admin HTTP API, drives the real TrackerDcs process: LV on reaches the simulated crate, and
/// what Node-RED receives on dcs/channels carries the seed's keys. Node-RED writes what it receives to files
/// this test reads, as a seed flow would feed a dashboard.
/// </summary>
public sealed class NodeRedSeedFlowTests
{
    private const string Prefix = "cleanroom";
    private const string User = "nodered";
    private const string Password = "nodered-password-for-tests";
    private static readonly string[] Modules = ["0", "1", "2", "3"];   // the shipped channels.yml: four modules

    [Fact]
    public async Task A_seed_flow_with_credentials_switches_LV_on_and_receives_the_seed_keys()
    {
        await using var stand = new StandProcess(new Dictionary<string, string> { ["Caen:PublishPeriod"] = "00:00:01" });
        await stand.StartAsync();
        await stand.AddUserAsync(User, "operator", Password);
        await using var nodeRed = await NodeRedProcess.StartAsync();

        var output = Path.Combine(nodeRed.UserDirectory, "received");
        var files = new Dictionary<string, string>
        {
            ["channels-file"] = Path.Combine(output, "channels.jsonl"),
            ["replies-file"] = Path.Combine(output, "replies.jsonl"),
            ["chiller-file"] = Path.Combine(output, "chiller.jsonl"),
        };
        var flow = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Migration", "Data", "seed-topics-flow.json")))!.AsArray();
        foreach (var node in flow.Select(n => n!.AsObject()))
        {
            var id = (string)node["id"]!;
            if ((string?)node["type"] == "mqtt-broker")
            {
                node["port"] = stand.MqttPort.ToString();
                node["credentials"] = new JsonObject { ["user"] = User, ["password"] = Password };
            }
            if (files.TryGetValue(id, out var file)) node["filename"] = file;
        }
        await nodeRed.DeployAsync(flow);

        // Node-RED connected with the account and subscribed: dcs/channels arrives (every second here).
        await Eventually.True(() => Lines(files["channels-file"]).Any(), $"dcs/channels through Node-RED\n{nodeRed.Log}", seconds: 30);
        await Eventually.True(() => Lines(files["chiller-file"]).Any(c => c.TryGetProperty("fsm_state", out _)), "julabo/status through Node-RED", seconds: 30);

        using (var pressed = await nodeRed.PostAsync("/lv-on", ""))
            Assert.True(pressed.IsSuccessStatusCode, $"POST /lv-on: {(int)pressed.StatusCode}");
        await Eventually.True(() => Lines(files["replies-file"]).Any(r => r.GetProperty("topic").GetString() == "dcs/cmd/switch/lv"),
            "the answer to LV on, on dcs/reply", seconds: 30);
        var reply = Lines(files["replies-file"]).First(r => r.GetProperty("topic").GetString() == "dcs/cmd/switch/lv");
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());

        // The crate went to LV_ON, as Node-RED sees it on dcs/channels, with the seed's spelling of the LV thresholds.
        static bool LvOn(JsonElement c) => c.TryGetProperty("fsm_state", out var state) && state.GetString() == "LV_ON"
            && c.TryGetProperty("lv_status", out var status) && status.GetInt32() == 1;
        await Eventually.True(() => Modules.All(id => Lines(files["channels-file"]).Any(c => c.GetProperty("id").GetString() == id && LvOn(c))),
            "every module's channel LV_ON on dcs/channels", seconds: 30);
        var channel = Lines(files["channels-file"]).Last(LvOn);
        var keys = channel.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("lv_unVthr", keys);
        Assert.Contains("lv_ovVthr", keys);
        Assert.DoesNotContain("lv_unVThr", keys);
        Assert.DoesNotContain("lv_ovVThr", keys);

        // And on the crate itself, read by libca: every module's LV output is on.
        var pvs = Modules.Select(id => $"{Prefix}:00:{int.Parse(id):000}:Pw").ToArray();
        var crate = await PyEpics.RunAsync($$"""
            import epics, json
            print(json.dumps({name: epics.caget(name, as_string=True, timeout=10) for name in {{JsonSerializer.Serialize(pvs)}}}))
            """, int.Parse(stand.Setting("Caen:SimulatorPort")));
        Assert.All(pvs, pv => Assert.Equal("On", crate.GetProperty(pv).GetString()));
    }

    /// <summary>The complete lines Node-RED has appended to a file so far, parsed.</summary>
    private static List<JsonElement> Lines(string path)
    {
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var text = new StreamReader(stream).ReadToEnd();
        // A line still being written has no newline yet.
        var complete = text[..(text.LastIndexOf('\n') + 1)];
        return [.. complete.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }
}
