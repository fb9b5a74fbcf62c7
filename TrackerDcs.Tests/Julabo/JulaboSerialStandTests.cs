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

    [Fact]
    public async Task Start_set_points_and_a_pulled_cable_over_a_pseudo_terminal()
    {
        using var pty = new SocatPtyPair();
        await using var unit = new JulaboSimulator();
        unit.ServeSerial(pty.B);
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Julabo:Port"] = pty.A,
            // A pseudo terminal has no RTS/CTS lines: with the seed's hardware handshake a write would wait for CTS forever.
            ["Julabo:Handshake"] = "None",
            ["Julabo:PollPeriod"] = "00:00:00.300",
            ["Julabo:CommandInterval"] = "00:00:00.030",
            ["Julabo:ReplyTimeout"] = "00:00:00.500",
            ["Julabo:ReconnectDelayMin"] = "00:00:00.200",
            ["Julabo:ReconnectDelayMax"] = "00:00:00.500",
        });
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
}
