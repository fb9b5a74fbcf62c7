using System.Collections.Concurrent;
using System.Text.Json;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.SwitchBox;

/// <summary>
/// The running process hosting the switch box driver on a real serial line (one end of a socat pty pair, through
/// System.IO.Ports at 115200 8N1; the simulated box on the other), driven by mosquitto's clients on the seed's
/// topics. Every rule is refused with its name, and what the box received shows that nothing refused reached it.
/// </summary>
public sealed class SwitchBoxSerialStandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    private static Dictionary<string, string> Settings(string port) => new()
    {
        ["SwitchBox:Enabled"] = "true",
        ["SwitchBox:Port"] = port,
        ["SwitchBox:MaxChannels"] = "2",
        ["SwitchBox:PollPeriod"] = "00:00:00.200",
        ["SwitchBox:ReconnectDelayMin"] = "00:00:00.200",
        ["SwitchBox:ReconnectDelayMax"] = "00:00:00.500",
    };

    [Fact]
    public async Task Every_rule_is_refused_with_its_name_and_nothing_refused_reaches_the_box()
    {
        using var pty = new SocatPtyPair();
        await using var box = new SwitchBoxSimulator();
        var received = new ConcurrentQueue<string>();
        box.LineReceived += line => { if (line != "STATUS?") received.Enqueue(line); };
        box.ServeSerial(pty.B);
        await using var stand = new StandProcess(Settings(pty.A));
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["SB/status", "SB/reply"]);
        await sub.WaitOnAsync("SB/status", s => State(s) == "LV_OFF", Wait, "LV_OFF");

        async Task Accepted(string topic, string payload)
        {
            var reply = await sub.CommandAsync(stand.MqttPort, Admin, topic, payload, Wait);
            Assert.True(reply.GetProperty("ok").GetBoolean(), $"{topic} {payload}: {reply}");
        }
        async Task Refused(string topic, string payload, string reason)
        {
            var before = received.Count;
            var reply = await sub.CommandAsync(stand.MqttPort, Admin, topic, payload, Wait);
            Assert.False(reply.GetProperty("ok").GetBoolean(), $"{topic} {payload} was accepted");
            Assert.Contains(reason, reply.GetProperty("error").GetString());
            Assert.Equal(before, received.Count);
        }

        await Refused("SB/cmd", "HV|ON", "(rule hv-needs-lv): LV is off");
        await Refused("SB/cmd/hv", "on", "(rule hv-needs-lv): LV is off");
        await Accepted("SB/cmd", "LV|ON");
        await Accepted("SB/cmd", "CH1|ON");
        await Accepted("SB/cmd/channel/7", "on");
        await Refused("SB/cmd", "CH3|ON", "(rule max-channels): 2 channels (1, 7) already enabled");
        await Refused("SB/cmd/channel/4", "on", "max-channels");
        await Accepted("SB/cmd/hv", "on");
        await Refused("SB/cmd", "CH1|OFF", "(rule channels-need-hv-off): HV is on");
        await Refused("SB/cmd", "CH*|OFF", "(rule channels-need-hv-off): HV is on");
        await Refused("SB/cmd/channel/7", "off", "channels-need-hv-off");
        await Refused("SB/cmd", "LV|OFF", "(rule lv-off-needs-hv-off): HV is on");
        await Refused("SB/cmd/lv", "off", "lv-off-needs-hv-off");
        // Bad input: named, nothing sent.
        await Refused("SB/cmd", "CH49|ON", "channel 49 does not exist");
        await Refused("SB/cmd", "CH*|ON", "only CH*|OFF acts on all channels at once");
        await Refused("SB/cmd/channel/0", "on", "'0' is not a channel of the switch box");
        await Refused("SB/cmd/lv", "maybe", "payload must be on or off");

        var status = await sub.WaitOnAsync("SB/status", s => State(s) == "HV_ON", Wait, "HV_ON");
        using (var json = JsonDocument.Parse(status))
        {
            Assert.Equal(1, json.RootElement.GetProperty("lv").GetInt32());
            Assert.Equal(1, json.RootElement.GetProperty("hv").GetInt32());
            Assert.Equal(1 + (1 << 6), json.RootElement.GetProperty("channels").GetInt64());
            Assert.Equal([1, 7], json.RootElement.GetProperty("enabled_channels").EnumerateArray().Select(c => c.GetInt32()));
        }
        Assert.Equal(["LV|ON", "CH1|ON", "CH7|ON", "HV|ON"], received);

        // The refusals are in the audit log with their reasons; so are the commands carried out.
        var audit = JsonDocument.Parse(await stand.GetAsAdminAsync("/api/audit")).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("topic").GetString()!.StartsWith("SB/", StringComparison.Ordinal)).ToList();
        Assert.Equal(17, audit.Count);
        Assert.Contains(audit, e => e.GetProperty("payload").GetString() == "LV|OFF" && e.GetProperty("result").GetString()!.Contains("lv-off-needs-hv-off"));
    }

    [Fact]
    public async Task Six_hundred_status_queries_are_answered_from_the_last_status_and_add_no_audit_row()
    {
        // The simulated box this process serves itself (SwitchBox:Port "simulated").
        await using var stand = new StandProcess(Settings("simulated"));
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["SB/status", "SB/reply"]);
        await sub.WaitOnAsync("SB/status", s => State(s) == "LV_OFF", Wait, "LV_OFF");
        int Audited(string json) => JsonDocument.Parse(json).RootElement.EnumerateArray().Count(e => e.GetProperty("topic").GetString() == "SB/cmd");
        var before = Audited(await stand.GetAsAdminAsync("/api/audit?limit=1000"));

        // The seed panel's 1 Hz poll for ten minutes: 600 messages, one mosquitto_pub reading them from its standard input.
        const int queries = 600;
        var published = await ProcessRunner.RunAsync("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", stand.MqttPort.ToString(), .. Admin, "-q", "1", "-t", "SB/cmd", "-l"],
            string.Join('\n', Enumerable.Repeat("STATUS?", queries)), TimeSpan.FromSeconds(60));
        Assert.True(published.ExitCode == 0, published.ToString());
        for (var i = 0; i < queries; i++)
        {
            var reply = JsonDocument.Parse(await sub.WaitOnAsync("SB/reply", _ => true, Wait, $"the answer to STATUS? number {i + 1}")).RootElement;
            Assert.True(reply.GetProperty("ok").GetBoolean());
            Assert.Equal("LV_OFF", reply.GetProperty("data").GetProperty("fsm_state").GetString());
        }

        // One switching command afterwards is audited: the log is live, the queries were not written to it. (The bus
        // writes the audit row before it replies, so every reply received means its row, if any, is written.)
        var lvOn = await sub.CommandAsync(stand.MqttPort, Admin, "SB/cmd", "LV|ON", Wait);
        Assert.True(lvOn.GetProperty("ok").GetBoolean(), lvOn.ToString());
        Assert.Equal(before + 1, Audited(await stand.GetAsAdminAsync("/api/audit?limit=1000")));
    }

    [Fact]
    public async Task A_box_simulated_in_its_own_process_over_tcp_set_by_hand_against_a_rule_is_an_error_that_allows_switching_off()
    {
        var port = FreePort.Tcp();
        await using var simulator = await SimulatorProcess.StartAsync("switchbox", "--tcp", port.ToString());
        await using var stand = new StandProcess(Settings($"tcp://127.0.0.1:{port}"));
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["SB/status", "SB/reply"]);
        await sub.WaitOnAsync("SB/status", s => State(s) == "LV_OFF", Wait, "LV_OFF");

        // Someone at the box switches HV on with LV off: ERROR, naming the rule; only switching off is allowed.
        Assert.StartsWith("relays set", await simulator.CommandAsync("""relays {"lv":0,"hv":1,"channels":0}"""));
        await sub.WaitOnAsync("SB/status", s => State(s) == "ERROR", Wait, "ERROR");
        var lvOn = await sub.CommandAsync(stand.MqttPort, Admin, "SB/cmd", "LV|ON", Wait);
        Assert.Contains("not allowed while the switch box is ERROR", lvOn.GetProperty("error").GetString());
        var hvOff = await sub.CommandAsync(stand.MqttPort, Admin, "SB/cmd/hv", "off", Wait);
        Assert.True(hvOff.GetProperty("ok").GetBoolean(), hvOff.ToString());
        await sub.WaitOnAsync("SB/status", s => State(s) == "LV_OFF", Wait, "LV_OFF after HV|OFF");
        Assert.Contains("HV off", await simulator.CommandAsync("state"));
    }

    private static string? State(string payload) => JsonDocument.Parse(payload).RootElement.GetProperty("fsm_state").GetString();
}
