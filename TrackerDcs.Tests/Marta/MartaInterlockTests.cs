using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Marta;

/// <summary>
/// The MARTA rule shipped commented out in interlocks.yml, enabled as its comment says, on the running stand: HV
/// goes off when the simulated CO2 loop stops while HV is on.
/// </summary>
public sealed class MartaInterlockTests
{
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private const string RuleName = "hv-off-when-co2-stops";

    /// <summary>The shipped rule, uncommented ("remove the leading # "), with a 1 s delay so that the test is quick.</summary>
    private static string ShippedRule()
    {
        var lines = File.ReadAllLines(Repository.File("interlocks.yml"));
        var start = Array.FindIndex(lines, l => l.Trim() == $"# - name: {RuleName}");
        Assert.True(start > 0, $"interlocks.yml ships the rule {RuleName}, commented out");
        var rule = lines.Skip(start).TakeWhile(l => l.StartsWith("  # ", StringComparison.Ordinal)).Select(l => "  " + l[4..]).ToList();
        Assert.Contains(rule, l => l.Trim() == "for: 30");
        return "interlocks:\n" + string.Join('\n', rule.Select(l => l.Trim() == "for: 30" ? l.Replace("30", "1") : l)) + "\n";
    }

    [Fact]
    public async Task Hv_goes_off_when_the_simulated_CO2_loop_stops()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-marta-interlock-").FullName;
        var rules = Path.Combine(directory, "interlocks.yml");
        await File.WriteAllTextAsync(rules, ShippedRule());
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Interlocks:File"] = rules,
            ["Marta:PollPeriod"] = "00:00:00.200",
        }, directory);
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/status", "dcs/reply", "MARTA/status", "MARTA/reply"]);
        var wait = TimeSpan.FromSeconds(20);

        async Task Ok(string topic, string payload = "")
        {
            var reply = await sub.CommandAsync(stand.MqttPort, Admin, topic, payload, wait);
            Assert.True(reply.GetProperty("ok").GetBoolean(), reply.GetRawText());
        }

        await Ok("MARTA/cmd/start_chiller");
        await sub.WaitOnAsync("MARTA/status", s => s.Contains("\"fsm_state\":\"CHILLER_RUNNING\""), wait, "CHILLER_RUNNING");
        await Ok("MARTA/cmd/start_co2");
        await sub.WaitOnAsync("MARTA/status", s => s.Contains("\"fsm_state\":\"CO2_RUNNING\""), wait, "CO2_RUNNING");
        await Ok("dcs/cmd/switch/lv", "on");
        await sub.WaitOnAsync("dcs/status", s => s.Contains("\"LV_ON\""), wait, "LV_ON");
        await Ok("dcs/cmd/switch/hv", "on");
        await sub.WaitOnAsync("dcs/status", s => s.Contains("\"HV_ON\""), wait, "HV_ON");

        await Ok("MARTA/cmd/stop_co2");
        await sub.WaitOnAsync("MARTA/status", s => s.Contains("\"fsm_state\":\"CHILLER_RUNNING\""), wait, "the CO2 loop stopped");
        // The interlock switches HV off through the command bus; LV stays on.
        await sub.WaitOnAsync("dcs/status", s => s.Contains("\"LV_ON\""), wait, "HV off by the interlock (LV_ON)");
        Assert.Contains($"interlock '{RuleName}'", stand.Log);
    }
}
