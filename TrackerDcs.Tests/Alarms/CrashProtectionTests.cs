using System.Text.Json;
using TrackerDcs.Tests.ChannelAccess;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Alarms;

/// <summary>
/// Safe when TrackerDcs itself fails: the crate and the chiller run as their own processes (`TrackerDcs
/// simulate`), the stand drives them as it drives hardware, and is then killed with SIGKILL. What it set on
/// load (trip times, current limits, maximum voltages, the chiller's warning limits) stays on the hardware,
/// and the hardware acts on it with nobody watching.
/// </summary>
public sealed class CrashProtectionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    private const string Channels = """
        name: dcs
        channels:
          "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }
        global:
          lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10., tripInt: 0b0, tripExt: 0b00010001, rampUpTime: 100., rampDwnTime: 100. }
          hv: { setV: 100., maxV: 150., maxI: 300., rampUpSpeed: 100., rampDwnSpeed: 100., tripTime: 1.5, tripInt: 0b0, tripExt: 0b00010001, tripMode: Kill, imRange: Low }
        """;

    [Fact]
    public async Task After_a_kill_the_hardware_keeps_its_protections_and_acts_on_them_by_itself()
    {
        var caPort = FreePort.ChannelAccess();
        await using var crate = await SimulatorProcess.StartAsync("caen", "--port", caPort.ToString());
        var chillerPort = FreePort.Tcp();
        // A bath that moves in seconds, not minutes.
        await using var chiller = await SimulatorProcess.StartAsync("julabo", "--tcp", chillerPort.ToString(), "--time-constant", "2");

        var directory = Directory.CreateTempSubdirectory("trackerdcs-crash-").FullName;
        var channels = Path.Combine(directory, "channels.yml");
        await File.WriteAllTextAsync(channels, Channels);
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Caen:ChannelsFile"] = channels,
            ["Caen:Simulated"] = "false",
            ["ChannelAccess:AddressList"] = $"127.0.0.1:{caPort}",
            ["ChannelAccess:AutoAddressList"] = "false",
            ["ChannelAccess:ServerPort"] = caPort.ToString(),
            ["Julabo:Port"] = $"127.0.0.1:{chillerPort}",
        }, directory);
        await stand.StartAsync();
        await using (var status = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/status", "julabo/status", "dcs/reply", "julabo/reply"]))
        {
            await status.WaitOnAsync("dcs/status", l => l.Contains("\"LV_OFF\""), Wait, "the crate in LV_OFF");
            await status.WaitOnAsync("julabo/status", l => l.Contains("\"fsm_state\":\"OFF\""), Wait, "the chiller OFF");
            await AcceptedAsync(status, stand, "julabo/cmd/start", "");
            await AcceptedAsync(status, stand, "dcs/cmd/switch/lv", "on");
            await status.WaitOnAsync("dcs/status", l => l.Contains("\"LV_ON\""), Wait, "LV_ON");
            await AcceptedAsync(status, stand, "dcs/cmd/switch/hv", "on");
            await status.WaitOnAsync("dcs/status", l => l.Contains("\"HV_ON\""), Wait, "HV_ON");
        }

        await stand.KillAsync();

        // The settings TrackerDcs wrote on load are the crate's own now.
        var settings = await CaAsync(caPort, """
            out = {n: epics.caget(f"cleanroom:12:000:{n}", as_string=True, timeout=10) for n in ["Trip", "I0Set", "PDwn", "Pw", "SVMax"]}
            """);
        Assert.Equal(150.0, double.Parse(settings.GetProperty("SVMax").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1.5, double.Parse(settings.GetProperty("Trip").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(300.0, double.Parse(settings.GetProperty("I0Set").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Kill", settings.GetProperty("PDwn").GetString());
        Assert.Equal("On", settings.GetProperty("Pw").GetString());

        // Another client (a script, a typo in a GUI) asks for 700 V: the board holds its output at SVMax.
        var limited = await CaAsync(caPort, """
            import time
            epics.caput("cleanroom:12:000:V0Set", 700, wait=True, timeout=10)
            time.sleep(3)
            out = {"status": int(epics.caget("cleanroom:12:000:Status", timeout=10)), "vmon": epics.caget("cleanroom:12:000:VMon", timeout=10)}
            """);
        Assert.InRange(limited.GetProperty("vmon").GetDouble(), 149.9, 150.1);
        Assert.True((limited.GetProperty("status").GetInt32() & (1 << 7)) != 0, $"no 'at max V': {limited}");

        // A module that starts drawing 1.5 mA (150 V over 0.1 MΩ) with nobody watching: the crate trips it after
        // Trip seconds and, in Kill mode, switches it off at once.
        await crate.CommandAsync("load 12 0 0.1");
        var tripped = await CaAsync(caPort, """
            import time
            deadline = time.time() + 15
            while time.time() < deadline and not (int(epics.caget("cleanroom:12:000:Status", timeout=10)) >> 9) & 1:
                time.sleep(0.1)
            time.sleep(0.5)
            out = {"status": int(epics.caget("cleanroom:12:000:Status", timeout=10)),
                   "vmon": epics.caget("cleanroom:12:000:VMon", timeout=10), "pw": epics.caget("cleanroom:12:000:Pw", as_string=True, timeout=10)}
            """);
        Assert.True((tripped.GetProperty("status").GetInt32() & (1 << 9)) != 0, $"no internal trip: {tripped}");
        Assert.Equal("Off", tripped.GetProperty("pw").GetString());
        Assert.True(tripped.GetProperty("vmon").GetDouble() < 1, $"VMon after the trip: {tripped}");

        // The chiller keeps cooling without its controller, holds the warning limits it was given, and warns
        // by itself (-03) when a heat load it cannot take away pushes the bath past the high one.
        var chilling = await chiller.CommandAsync("state");
        Assert.Contains("running True", chilling);
        Assert.Contains("warning limits -35.00..30.00 °C", chilling);
        await chiller.CommandAsync("heat 15");
        var deadline = DateTime.UtcNow + Wait;
        string state;
        while (!(state = await chiller.CommandAsync("state")).StartsWith("-03", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no excess temperature warning: {state}");
            await Task.Delay(250);
        }
    }

    private static async Task AcceptedAsync(MosquittoSubscriber status, StandProcess stand, string topic, string payload)
    {
        var reply = await status.CommandAsync(stand.MqttPort, Admin, topic, payload, Wait);
        Assert.True(reply.GetProperty("ok").GetBoolean(), $"{topic} {payload}: {reply}");
    }

    private static Task<JsonElement> CaAsync(int port, string body) => PyEpics.RunAsync($"import epics, json\n{body}\nprint(json.dumps(out))\n", port);
}
