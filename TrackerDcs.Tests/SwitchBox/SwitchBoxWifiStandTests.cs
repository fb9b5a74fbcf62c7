using System.Text.Json;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.History;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.SwitchBox;

/// <summary>
/// The switch box in wifi mode, a device that speaks MQTT itself: here mosquitto's clients logged in with the box's
/// device account stand in for it (subscribed to SB/cmd, publishing SB/status). Operators' commands reach it only
/// after the checks; a refused payload or a broken rule never does; STATUS? passes without an audit row; the
/// account sees only SB/; and the box's status lands in the time-series store.
/// </summary>
public sealed class SwitchBoxWifiStandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private static readonly string[] Operator = Mosquitto.Auth("olivia", "operator-password");
    private static readonly string[] Box = Mosquitto.Auth("switchbox", "box-password");

    /// <summary>The declaration appsettings.json ships commented, as settings.</summary>
    private static Dictionary<string, string> Settings() => new()
    {
        ["SwitchBox:Enabled"] = "true",
        ["SwitchBox:Mode"] = "Wifi",
        ["MqttDevices:switchbox:Root"] = "SB",
        ["MqttDevices:switchbox:Account"] = "switchbox",
        ["MqttDevices:switchbox:StatusTopic"] = "SB/status",
        ["MqttDevices:switchbox:Commands:0:Topic"] = "SB/cmd",
        ["MqttDevices:switchbox:Commands:0:Payloads:0"] = "LV|ON",
        ["MqttDevices:switchbox:Commands:0:Payloads:1"] = "LV|OFF",
        ["MqttDevices:switchbox:Commands:0:Payloads:2"] = "HV|ON",
        ["MqttDevices:switchbox:Commands:0:Payloads:3"] = "HV|OFF",
        ["MqttDevices:switchbox:Commands:0:Payloads:4"] = "CH*|OFF",
        ["MqttDevices:switchbox:Commands:0:Patterns:0"] = @"CH([1-9]|[1-3][0-9]|4[0-8])\|(ON|OFF)",
        ["MqttDevices:switchbox:Commands:0:Queries:0"] = "STATUS?",
        ["TimeSeries:FlushInterval"] = "00:00:00.200",
    };

    [Fact]
    public async Task Commands_reach_the_box_only_after_the_checks_and_its_status_lands_in_the_store()
    {
        var start = DateTimeOffset.UtcNow;
        await using var stand = new StandProcess(Settings());
        await stand.StartAsync();
        await stand.AddUserAsync("olivia", "operator", "operator-password");
        await stand.AddUserAsync("switchbox", "device", "box-password", "SB/");
        async Task BoxPublishes(string status)
        {
            var published = await Mosquitto.PubAsync(stand.MqttPort, [.. Box, "-q", "1", "-r", "-t", "SB/status", "-m", status]);
            Assert.True(published.ExitCode == 0, published.ToString());
        }

        // The box: its status first (retained, as the box does at boot), then its subscription to its commands.
        await BoxPublishes("""{"lv":0,"hv":0,"channels":0}""");
        await using var box = await MosquittoSubscriber.StartOnRetainedAsync(stand.MqttPort, Box, ["SB/status", "SB/cmd"], "SB/status");
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["SB/reply"]);
        await stand.WaitReadyAsync();
        var auditBefore = SbRows(await stand.GetAsAdminAsync("/api/audit?limit=1000"));

        // Accepted: passed on to the box, from the process.
        var lvOn = await sub.CommandAsync(stand.MqttPort, Operator, "SB/cmd", "LV|ON", Wait);
        Assert.True(lvOn.GetProperty("ok").GetBoolean(), lvOn.ToString());
        Assert.Equal("LV|ON", await box.NextOnAsync("SB/cmd", Wait));

        // Refused: a payload the declaration does not accept, and a command that breaks a rule against the box's
        // last status (LV is still off: the box has not reported LV|ON yet). Neither reaches it.
        var unknown = await sub.CommandAsync(stand.MqttPort, Operator, "SB/cmd", "CH49|ON", Wait);
        Assert.False(unknown.GetProperty("ok").GetBoolean());
        Assert.Contains("payload 'CH49|ON' is not accepted on SB/cmd", unknown.GetProperty("error").GetString());
        var rule = await sub.CommandAsync(stand.MqttPort, Operator, "SB/cmd", "HV|ON", Wait);
        Assert.False(rule.GetProperty("ok").GetBoolean());
        Assert.Contains("(rule hv-needs-lv): LV is off", rule.GetProperty("error").GetString());
        // A query passes (without an audit row), and it is the next thing the box receives: the refused ones never came.
        var query = await sub.CommandAsync(stand.MqttPort, Operator, "SB/cmd", "STATUS?", Wait);
        Assert.True(query.GetProperty("ok").GetBoolean(), query.ToString());
        Assert.Equal("STATUS?", await box.NextOnAsync("SB/cmd", Wait));

        // The box reports LV on: now HV|ON keeps the rules and reaches it.
        await BoxPublishes("""{"lv":1,"hv":0,"channels":0}""");
        await Eventually.True(() => Ready(stand).Result.Contains("LV_ON"), "the stand to see the box's LV_ON", seconds: 10);
        var hvOn = await sub.CommandAsync(stand.MqttPort, Operator, "SB/cmd", "HV|ON", Wait);
        Assert.True(hvOn.GetProperty("ok").GetBoolean(), hvOn.ToString());
        Assert.Equal("HV|ON", await box.NextOnAsync("SB/cmd", Wait));

        // The box's account: it sends no commands, and it sees nothing outside SB/.
        await Mosquitto.PubAsync(stand.MqttPort, [.. Box, "-q", "1", "-t", "SB/cmd", "-m", "LV|OFF"]);
        var outside = await Mosquitto.SubAsync(stand.MqttPort, [.. Box, "-t", "julabo/status", "-C", "1", "-W", "3"]);
        Assert.Contains("denied", outside.Stdout + outside.Stderr, StringComparison.OrdinalIgnoreCase);

        // Audited: LV|ON, CH49|ON, the first HV|ON, the second HV|ON and the box's own LV|OFF (refused by the broker); not STATUS?.
        // (The log comes newest first.)
        var rows = SbRows(await stand.GetAsAdminAsync("/api/audit?limit=1000"));
        var audit = rows.Take(rows.Count - auditBefore.Count).ToList();
        Assert.Equal(["LV|ON", "CH49|ON", "HV|ON", "HV|ON", "LV|OFF"], audit.Select(e => e.GetProperty("payload").GetString()).Reverse());
        Assert.Contains("a device may not send commands", audit[0].GetProperty("result").GetString());
        // The box's LV|OFF was dropped: the next thing on SB/cmd is whatever comes next, not it.
        Assert.Null(await box.NextOnAsync("SB/cmd", TimeSpan.FromSeconds(1)));

        // The box's status, through the default mapping rule, in the embedded store.
        var reader = new EmbeddedStore(new Database(Path.Combine(stand.DataDirectory, "trackerdcs.db")), new TimeSeriesOptions(), TimeProvider.System);
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var lv = await reader.ReadAsync(new SignalId("switchbox", "lv"), start, DateTimeOffset.UtcNow.AddSeconds(1), 10, CancellationToken.None);
            if (lv.Values.Any(v => v == 1)) break;
            Assert.True(DateTime.UtcNow < deadline, $"no switchbox lv = 1 in the store after {Wait.TotalSeconds} s:\n{stand.Log}");
            await Task.Delay(200);
        }
    }

    private static List<JsonElement> SbRows(string json) =>
        [.. JsonDocument.Parse(json).RootElement.EnumerateArray().Where(e => e.GetProperty("topic").GetString()!.StartsWith("SB/", StringComparison.Ordinal))];

    private static Task<string> Ready(StandProcess stand) => stand.GetAsAdminAsync("/readyz");
}
