using System.Globalization;
using System.Text.Json;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Marta;

/// <summary>
/// The real process with its simulated MARTA (no Marta:Host), driven with Mosquitto's clients as the seed's panel
/// did: /readyz, the commands and their refusals, fault injection through the admin API, and the alarms it raises;
/// a stand without MARTA; a broken register map.
/// </summary>
public sealed class MartaStandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    private static Dictionary<string, string> Fast(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string>
        {
            ["Marta:PollPeriod"] = "00:00:00.200",
            ["Marta:ResponseTimeout"] = "00:00:02", // as MartaRig: shorter ones were missed on loaded cores
            ["Marta:ReconnectDelayMin"] = "00:00:00.100",
            ["Marta:ReconnectDelayMax"] = "00:00:00.300",
            ["Alarms:DisconnectedAfter"] = "00:00:01",
        };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    private static async Task<string> ReadyzAsync(StandProcess stand)
    {
        var (status, report) = await stand.ReadinessAsync();
        return status == 200 ? report : throw new InvalidOperationException($"/readyz answered {status}: {report}");
    }

    private static async Task<bool> MartaReadyAsync(StandProcess stand)
    {
        // /readyz answers 503 while a part is not ready; its report (to a login) says which.
        using var ready = JsonDocument.Parse((await stand.ReadinessAsync()).Body);
        return ready.RootElement.GetProperty("components").GetProperty("driver").GetProperty("marta").GetProperty("ready").GetBoolean();
    }

    [Fact]
    public async Task Commands_over_MQTT_drive_the_simulated_plant_and_its_fault_bits_raise_the_seeds_alarms()
    {
        var plantPort = FreePort.Tcp();
        await using var stand = new StandProcess(Fast(("Marta:SimulatorPort", plantPort.ToString(CultureInfo.InvariantCulture))));
        await stand.StartAsync();
        await stand.WaitReadyAsync();
        Assert.True(await MartaReadyAsync(stand));
        await using var mqtt = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["MARTA/status", "MARTA/reply", "alarms/active", "alarms/reply"]);

        var refused = await mqtt.CommandAsync(stand.MqttPort, Admin, "MARTA/cmd/start_co2", "", Wait);
        Assert.Equal("start_co2 needs CHILLER_RUNNING (MARTA is CONNECTED)", refused.GetProperty("error").GetString());
        var abc = await mqtt.CommandAsync(stand.MqttPort, Admin, "MARTA/cmd/set_temperature_setpoint", "abc", Wait);
        Assert.Equal("set_temperature_setpoint: 'abc' is not a number (-35 … 25 °C)", abc.GetProperty("error").GetString());

        // A set point written over MQTT: MARTA/status shows it, and mbpoll reads the same float32 from the plant.
        Assert.True((await mqtt.CommandAsync(stand.MqttPort, Admin, "MARTA/cmd/set_temperature_setpoint", "-20.5", Wait)).GetProperty("ok").GetBoolean());
        await mqtt.WaitOnAsync("MARTA/status", p => p.Contains("\"set_temperature_setpoint\":-20.5"), Wait, "the new set point on MQTT");
        var mbpoll = await ProcessRunner.RunAsync("mbpoll", ["-m", "tcp", "-p", plantPort.ToString(CultureInfo.InvariantCulture), "-a", "1", "-0", "-1", "-o", "5",
            "-t", "4:float", "-r", "310", "-c", "1", "127.0.0.1"], timeout: Wait);
        Assert.True(mbpoll.ExitCode == 0, mbpoll.ToString());
        Assert.Contains("[310]: \t-20.5", mbpoll.Stdout);

        Assert.True((await mqtt.CommandAsync(stand.MqttPort, Admin, "MARTA/cmd/start_chiller", "", Wait)).GetProperty("ok").GetBoolean());
        await mqtt.WaitOnAsync("MARTA/status", p => p.Contains("\"fsm_state\":\"CHILLER_RUNNING\""), Wait, "CHILLER_RUNNING");
        Assert.True((await mqtt.CommandAsync(stand.MqttPort, Admin, "MARTA/cmd/start_co2", "", Wait)).GetProperty("ok").GetBoolean());
        await mqtt.WaitOnAsync("MARTA/status", p => p.Contains("\"fsm_state\":\"CO2_RUNNING\""), Wait, "CO2_RUNNING");

        await stand.PostAsAdminAsync("/api/simulator/marta/alarm?bit=CP_HP_W");
        var warning = ActiveAlarms.Find(await mqtt.RaisedAsync("marta.warning:CP_HP_W"), "marta.warning:CP_HP_W")!.Value;
        Assert.Equal("warning", warning.GetProperty("severity").GetString());
        Assert.Equal("Warning: chiller compressor discharge pressure high (CP_HP_W)", warning.GetProperty("message").GetString());

        // A fail-safe bit: the PLC stops both machines, status 3, ALARM, and a major alarm with the seed's text.
        await stand.PostAsAdminAsync("/api/simulator/marta/alarm?bit=EB_FS");
        await mqtt.WaitOnAsync("MARTA/status", p => p.Contains("\"fsm_state\":\"ALARM\"") && p.Contains("\"status\":3"), Wait, "ALARM with status 3");
        var failSafe = ActiveAlarms.Find(await mqtt.RaisedAsync("marta.failsafe:EB_FS"), "marta.failsafe:EB_FS")!.Value;
        Assert.Equal("major", failSafe.GetProperty("severity").GetString());
        Assert.Equal("Error: Emergency button pressed (EB_FS)", failSafe.GetProperty("message").GetString());

        Assert.True((await mqtt.CommandAsync(stand.MqttPort, Admin, "MARTA/cmd/clear_alarms", "", Wait)).GetProperty("ok").GetBoolean());
        // A fail-safe latches: listed as cleared until acknowledged.
        await mqtt.ActiveWhereAsync(l => l.Any(a => a.GetProperty("key").GetString() == "marta.failsafe:EB_FS"
            && a.GetProperty("cleared").ValueKind == JsonValueKind.String), "the fail-safe latched as cleared");
        Assert.True((await mqtt.CommandAsync(stand.MqttPort, Admin, "alarms/cmd/ack", """{"key":"marta.failsafe:EB_FS"}""", Wait)).GetProperty("ok").GetBoolean());
        await mqtt.ClearedAsync("marta.failsafe:EB_FS");
        await mqtt.WaitOnAsync("MARTA/status", p => p.Contains("\"fsm_state\":\"CONNECTED\""), Wait, "CONNECTED after clear_alarms");

        // The PLC stops answering: DISCONNECTED, and an alarm once that lasts longer than Alarms:DisconnectedAfter.
        await stand.PostAsAdminAsync("/api/simulator/marta/unplug");
        await mqtt.WaitOnAsync("MARTA/status", p => p.Contains("\"fsm_state\":\"DISCONNECTED\""), Wait, "DISCONNECTED");
        await mqtt.RaisedAsync("device.disconnected:marta");
        Assert.False(await MartaReadyAsync(stand));
        await stand.PostAsAdminAsync("/api/simulator/marta/plug");
        await mqtt.ClearedAsync("device.disconnected:marta");
    }

    [Fact]
    public async Task A_stand_without_MARTA_registers_nothing_of_it()
    {
        await using var stand = new StandProcess(Fast(("Marta:Enabled", "false")));
        await stand.StartAsync();
        await stand.WaitReadyAsync();
        Assert.DoesNotContain("marta", await ReadyzAsync(stand));
        await using var mqtt = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["MARTA/reply"]);
        var reply = await mqtt.CommandAsync(stand.MqttPort, Admin, "MARTA/cmd/start_chiller", "", Wait);
        Assert.Equal("unknown command topic 'MARTA/cmd/start_chiller'", reply.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_broken_register_map_stops_the_start_naming_the_file_line_and_key()
    {
        await using var stand = new StandProcess();
        var map = Path.Combine(stand.Directory, "broken_registers.yml");
        var lines = File.ReadAllLines(Repository.File("marta_registers.yml")).ToList();
        var line = lines.FindIndex(l => l.Trim() == "LP_speed:") + 2; // its "type: float32" line
        Assert.Equal("type: float32", lines[line - 1].Trim());
        lines[line - 1] = lines[line - 1].Replace("float32", "double");
        await File.WriteAllLinesAsync(map, lines);

        var result = await stand.RunToExitAsync($"--Marta:RegisterMap={map}");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("setting 'Marta:RegisterMap'", result.Stderr);
        Assert.Contains($"{map}:{line}: 'type'", result.Stderr);
    }

    [Fact]
    public async Task An_interlock_on_an_unknown_MARTA_register_stops_the_start()
    {
        await using var stand = new StandProcess();
        var rules = Path.Combine(stand.Directory, "marta-interlocks.yml");
        await File.WriteAllTextAsync(rules, """
            interlocks:
              - name: cold-loop
                when: crate.hv_on and marta.TT99_CO2 > 0
                actions: [hv_off]
            """);
        var result = await stand.RunToExitAsync($"--Interlocks:File={rules}");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("interlock 'cold-loop' reads marta.TT99_CO2, but", result.Stderr);
        Assert.Contains("has no register 'TT99_CO2'", result.Stderr);
    }
}
