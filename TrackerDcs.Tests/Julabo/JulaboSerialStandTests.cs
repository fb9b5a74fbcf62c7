using System.Text.Json;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Julabo;

/// <summary>
/// The running process on a real serial line: its driver opens one end of a socat pseudo-terminal pair
/// through System.IO.Ports, the simulated unit answers on the other. Status seen through mosquitto_sub.
/// </summary>
public sealed class JulaboSerialStandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    /// <summary>The driver on the pty's end A, with short periods so that a test takes seconds.</summary>
    private static Dictionary<string, string> Settings(SocatPtyPair pty) => new()
    {
        ["Julabo:Port"] = pty.A,
        // A pseudo terminal has no RTS/CTS lines: with the seed's hardware handshake a write would wait for CTS forever.
        ["Julabo:Handshake"] = "None",
        ["Julabo:PollPeriod"] = "00:00:00.300",
        ["Julabo:CommandInterval"] = "00:00:00.030",
        // The simulated unit answers from this test process, which CI loads with the whole suite. Replies later than
        // 500 ms make the driver drop the link and connect again: with the unit answering 1.2 s late, that cycle held
        // the link down for as long as it lasted. Once in CI the limits' alarm did not come within 20 s. 2 s, as
        // MartaRig's, leaves the loaded machine room and is still far below the test's waits.
        ["Julabo:ReplyTimeout"] = "00:00:02",
        ["Julabo:ReconnectDelayMin"] = "00:00:00.200",
        ["Julabo:ReconnectDelayMax"] = "00:00:00.500",
    };

    [Fact]
    public async Task Start_set_points_and_a_pulled_cable_over_a_pseudo_terminal()
    {
        using var pty = new SocatPtyPair();
        await using var unit = new JulaboSimulator();
        unit.ServeSerial(pty.B);
        await using var stand = new StandProcess(Settings(pty));
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["julabo/status", "julabo/reply"]);
        Task<string> Status(Func<JsonElement, bool> condition, string what) =>
            sub.WaitOnAsync("julabo/status", p => condition(JsonDocument.Parse(p).RootElement), Wait, what);

        await Status(s => s.GetProperty("fsm_state").GetString() == "OFF", "OFF");
        Assert.True((await sub.CommandAsync(stand.MqttPort, Admin, "julabo/cmd/setWT", """{"setpoint":3,"temp":-5.5}""", Wait)).GetProperty("ok").GetBoolean());
        Assert.True((await sub.CommandAsync(stand.MqttPort, Admin, "julabo/cmd/useSP", """{"setpoint":3}""", Wait)).GetProperty("ok").GetBoolean());
        Assert.True((await sub.CommandAsync(stand.MqttPort, Admin, "julabo/cmd/start", "", Wait)).GetProperty("ok").GetBoolean());
        await Status(s => s.GetProperty("fsm_state").GetString() == "ON" && s.GetProperty("setpoint_3").GetDouble() == -5.5
            && s.GetProperty("used_setpoint").GetInt32() == 3, "ON on set point 3 at -5.5 °C");
        Assert.True(unit.Running);

        // Pull the cable: DISCONNECTED; put it back: ON again with no command.
        pty.Kill();
        var pulled = DateTime.UtcNow;
        await Status(s => s.GetProperty("fsm_state").GetString() == "DISCONNECTED", "DISCONNECTED");
        Assert.True(DateTime.UtcNow - pulled < TimeSpan.FromSeconds(3), $"noticed after {DateTime.UtcNow - pulled}");
        pty.Start();
        await Status(s => s.GetProperty("fsm_state").GetString() == "ON" && s.GetProperty("used_setpoint").GetInt32() == 3, "ON again after the cable is back");
    }

    [Fact]
    public async Task Warning_limits_are_written_at_connect_a_refusal_raises_an_alarm_and_a_replugged_cable_writes_them_again()
    {
        using var pty = new SocatPtyPair();
        await using var unit = new JulaboSimulator();
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        unit.CommandReceived += received.Enqueue;
        unit.LimitWrites = JulaboLimitWrites.Refuse; // the unit's menu locks its limits against remote setting
        unit.ServeSerial(pty.B);
        var settings = Settings(pty);
        settings["Julabo:WarningLimitHigh"] = "28";
        settings["Julabo:WarningLimitLow"] = "-20";
        await using var stand = new StandProcess(settings);
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["julabo/status", "julabo/reply", "alarms/active"]);
        Task<string> Status(Func<JsonElement, bool> condition, string what) =>
            sub.WaitOnAsync("julabo/status", p => condition(JsonDocument.Parse(p).RootElement), Wait, what);
        static JsonElement? Alarm(string active, string key) =>
            JsonDocument.Parse(active).RootElement.EnumerateArray().Where(a => a.GetProperty("key").GetString() == key).Cast<JsonElement?>().FirstOrDefault();

        // Refused: the alarm names what the unit holds and what was configured; the unit keeps its own.
        var active = await sub.WaitOnAsync("alarms/active", a => Alarm(a, "julabo.limits:julabo") is not null, Wait, "julabo.limits raised");
        var limits = Alarm(active, "julabo.limits:julabo")!.Value;
        Assert.Equal("major", limits.GetProperty("severity").GetString());
        Assert.Contains("-09 COMMAND NOT ALLOWED IN CURRENT OPERATING MODE", limits.GetProperty("message").GetString());
        Assert.Contains("holds high 50 °C, low -50 °C, not the configured high 28 °C, low -20 °C", limits.GetProperty("message").GetString());
        Assert.Contains("Chiller page → Reconnect to check again (a script sends julabo/cmd/reconnect)", limits.GetProperty("guidance").GetString());
        await Eventually.True(() => stand.Log.Contains("holds high 50 °C, low -50 °C"), "the refusal logged with both values", seconds: 5);
        Assert.Equal((50, -50), (unit.WarningLimitHigh, unit.WarningLimitLow));

        // The unit now takes them: the cable replugged, they are written again and the alarm clears.
        // (Replugged rather than julabo/cmd/reconnect: when the driver closes its end, the opens that follow fail on socat's pty pair.)
        unit.LimitWrites = JulaboLimitWrites.Accept;
        pty.Kill();
        await Status(s => s.GetProperty("fsm_state").GetString() == "DISCONNECTED", "DISCONNECTED");
        pty.Start();
        await Status(s => s.GetProperty("fsm_state").GetString() == "OFF" && s.GetProperty("limit_high").GetDouble() == 28
            && s.GetProperty("limit_low").GetDouble() == -20, "OFF with limit_high 28 and limit_low -20");
        await sub.WaitOnAsync("alarms/active", a => Alarm(a, "julabo.limits:julabo") is null, Wait, "julabo.limits cleared");
        Assert.Equal((28, -20), (unit.WarningLimitHigh, unit.WarningLimitLow));

        // A set point outside the band is refused with the limit named; nothing goes down the line.
        var refused = await sub.CommandAsync(stand.MqttPort, Admin, "julabo/cmd/setWT", """{"setpoint":1,"temp":-25}""", Wait);
        Assert.False(refused.GetProperty("ok").GetBoolean());
        Assert.Equal("temp -25 is below the chiller's low temperature warning limit -20 °C (Julabo:WarningLimitLow)", refused.GetProperty("error").GetString());
        Assert.DoesNotContain(received, l => l.StartsWith("OUT_SP_00", StringComparison.Ordinal));

        // Cable out, someone turns the limits at the keypad, cable back: written again before OFF is reported.
        pty.Kill();
        await Status(s => s.GetProperty("fsm_state").GetString() == "DISCONNECTED", "DISCONNECTED");
        unit.SetWarningLimitsAtKeypad(40, -40);
        pty.Start();
        await Status(s => s.GetProperty("fsm_state").GetString() == "OFF", "OFF after the cable is back");
        Assert.Equal((28, -20), (unit.WarningLimitHigh, unit.WarningLimitLow));
        Assert.True(received.Count(l => l == "OUT_SP_03 28.00") >= 3, "written at the first connect and at both replugs");
    }

    /// <summary>
    /// The serial settings the process opens its port with, as the kernel holds them for the line (stty -F, which
    /// root may run beside the process's exclusive open): the shipped defaults are the seed's latest driver's,
    /// 9600 baud with RTS/CTS and one stop bit; the older units' 4800 baud is a setting away. Linux's pty driver
    /// forces 8 data bits without parity whatever is asked (pty_set_termios), so data bits and parity are checked
    /// on the bound options (JulaboOptionsTests), not here.
    /// </summary>
    [Theory]
    [InlineData("", "speed 9600 baud")]
    [InlineData("Julabo:BaudRate=4800 Julabo:DataBits=7 Julabo:Parity=Even", "speed 4800 baud")]
    public async Task The_serial_settings_reach_the_port(string settings, string speed)
    {
        using var pty = new SocatPtyPair();
        var overrides = new Dictionary<string, string> { ["Julabo:Port"] = pty.A };
        foreach (var setting in settings.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            overrides[setting.Split('=')[0]] = setting.Split('=')[1];
        await using var stand = new StandProcess(overrides);
        await stand.StartAsync();

        string[] flags = ["-cstopb", "crtscts"];
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var stty = await ProcessRunner.RunAsync("stty", ["-F", pty.A, "-a"]);
            var tokens = stty.Stdout.Split([' ', ';', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (stty.ExitCode == 0 && stty.Stdout.Contains(speed) && flags.All(tokens.Contains)) break;
            if (DateTime.UtcNow > deadline) Assert.Fail($"the port never held {speed} {string.Join(' ', flags)}; stty: {stty}\n{stand.Log}");
            await Task.Delay(100);
        }
    }
}
