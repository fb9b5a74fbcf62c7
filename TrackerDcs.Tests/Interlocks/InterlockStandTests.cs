using System.Text.Json;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Interlocks;

/// <summary>An interlock acting on the running stand: through the command bus, as `interlock`, audited.</summary>
public sealed class InterlockStandTests
{
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    private const string Rules = """
        interlocks:
          - name: no-cooling
            when: crate.hv_on and chiller.state != ON
            for: 1
            actions: [hv_off]
          - name: hv-needs-cooling
            when: chiller.state != ON
            refuse: [dcs/cmd/switch/hv on]
        """;

    [Fact]
    public async Task Hv_goes_off_when_the_chiller_is_not_on_and_hv_on_is_refused_until_it_is()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-interlock-").FullName;
        var rules = Path.Combine(directory, "interlocks.yml");
        await File.WriteAllTextAsync(rules, Rules);
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Interlocks:File"] = rules,
            ["Julabo:PollPeriod"] = "00:00:00.300",
            ["Julabo:CommandInterval"] = "00:00:00.020",
        }, directory);
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/status", "dcs/reply"]);

        Task Status(string state) => sub.WaitOnAsync("dcs/status", s => s.Contains($"\"{state}\""), TimeSpan.FromSeconds(20), state);

        async Task<string> Reply(string topic, string payload) =>
            (await sub.CommandAsync(stand.MqttPort, Admin, topic, payload, TimeSpan.FromSeconds(15))).GetRawText();

        // The chiller is OFF at start: HV on is refused with the rule's reason.
        await Reply("dcs/cmd/switch/lv", "on");
        await Status("LV_ON");
        Assert.Contains("interlock 'hv-needs-cooling' is active (chiller.state != ON)", await Reply("dcs/cmd/switch/hv", "on"));

        await Mosquitto.PubAsync(stand.MqttPort, [.. Admin, "-q", "1", "-t", "julabo/cmd/start", "-m", ""]);
        for (var deadline = DateTime.UtcNow.AddSeconds(15); !(await Reply("dcs/cmd/switch/hv", "on")).Contains("\"ok\":true"); await Task.Delay(300))
            Assert.True(DateTime.UtcNow < deadline, "HV on stayed refused after the chiller started");
        await Status("HV_ON");

        // Cooling stops under HV: after 1 s the interlock switches HV off (within 2 s of that), the crate ramps down.
        await Mosquitto.PubAsync(stand.MqttPort, [.. Admin, "-q", "1", "-t", "julabo/cmd/stop", "-m", ""]);
        var stopped = DateTime.UtcNow;
        await Status("HV_RAMP_DOWN");
        Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(1 + 2 + 1), $"acted after {DateTime.UtcNow - stopped} (1 s hold, 2 s to act, 1 s chiller poll)");
        await Status("LV_ON");

        using var client = stand.HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"https://localhost:{stand.HttpsPort}/api/audit");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"admin:{StandProcess.AdminPassword}")));
        var audit = JsonDocument.Parse(await (await client.SendAsync(request)).Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        var action = Assert.Single(audit, e => e.GetProperty("user").GetString() == "interlock");
        Assert.Contains(audit, e => e.GetProperty("user").GetString() == "admin" && e.GetProperty("result").GetString()!.Contains("hv-needs-cooling"));
        Assert.Equal("dcs/cmd/switch/hv", action.GetProperty("topic").GetString());
        Assert.Equal("off", action.GetProperty("payload").GetString());
        Assert.Equal("internal", action.GetProperty("origin").GetString());
        Assert.True(action.GetProperty("ok").GetBoolean());

    }

    [Fact]
    public async Task A_broken_rule_file_stops_the_start_naming_its_line()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-interlock-").FullName;
        var rules = Path.Combine(directory, "interlocks.yml");
        await File.WriteAllTextAsync(rules, Rules.Replace("[hv_off]", "[hv_offf]"));
        await using var stand = new StandProcess(new Dictionary<string, string> { ["Interlocks:File"] = rules }, directory);
        var result = await stand.RunToExitAsync();
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{rules}:5: rule 'no-cooling': unknown action 'hv_offf'", result.Stderr);
    }
}
