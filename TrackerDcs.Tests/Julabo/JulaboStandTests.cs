using System.Text.Json;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Julabo;

/// <summary>The chiller end to end: the running process drives its simulated unit; commands and status over MQTT.</summary>
public sealed class JulaboStandTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private readonly StandProcess _stand = new(new Dictionary<string, string>
    {
        ["Julabo:PollPeriod"] = "00:00:00.500",
        ["Julabo:CommandInterval"] = "00:00:00.020",
        ["Julabo:SimulatedTimeConstant"] = "00:00:05",
    });
    private MosquittoSubscriber _sub = null!;

    public async Task InitializeAsync()
    {
        await _stand.StartAsync();
        _sub = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["julabo/status", "julabo/reply"]);
    }

    public async Task DisposeAsync()
    {
        await _sub.DisposeAsync();
        await _stand.DisposeAsync();
    }

    private async Task<JsonElement> StatusWhere(Func<JsonElement, bool> condition, string what) =>
        JsonDocument.Parse(await _sub.WaitOnAsync("julabo/status", p => condition(JsonDocument.Parse(p).RootElement), Wait, what)).RootElement;

    private Task<JsonElement> ReplyAsync(string topic, string payload) => _sub.CommandAsync(_stand.MqttPort, Admin, topic, payload, Wait);

    [Fact]
    public async Task Start_a_set_point_and_the_bath_moves_toward_it()
    {
        await StatusWhere(s => s.GetProperty("fsm_state").GetString() == "OFF", "OFF");
        Assert.True((await ReplyAsync("julabo/cmd/setWT", """{"setpoint":2,"temp":10}""")).GetProperty("ok").GetBoolean());
        Assert.True((await ReplyAsync("julabo/cmd/useSP", """{"setpoint":2}""")).GetProperty("ok").GetBoolean());
        Assert.True((await ReplyAsync("julabo/cmd/start", "")).GetProperty("ok").GetBoolean());
        var on = await StatusWhere(s => s.GetProperty("fsm_state").GetString() == "ON" && s.GetProperty("used_setpoint").GetInt32() == 2, "ON with set point 2");
        Assert.Equal(10, on.GetProperty("setpoint_2").GetDouble());
        var start = on.GetProperty("internal_temp").GetDouble();
        var cooler = await StatusWhere(s => s.GetProperty("internal_temp").GetDouble() < start - 1, "the bath 1 °C cooler");
        Assert.True(cooler.GetProperty("power").GetDouble() < 0, "cooling shows negative power");

        Assert.True((await ReplyAsync("julabo/cmd/useExt", "")).GetProperty("ok").GetBoolean());
        await StatusWhere(s => s.GetProperty("ext_is_used").GetBoolean(), "the external sensor in control");
        Assert.True((await ReplyAsync("julabo/cmd/stop", "")).GetProperty("ok").GetBoolean());
        await StatusWhere(s => s.GetProperty("fsm_state").GetString() == "OFF", "OFF again");
    }

    [Theory]
    [InlineData("julabo/cmd/setWT", "{}")]
    [InlineData("julabo/cmd/setWT", """{"setpoint":4,"temp":10}""")]
    [InlineData("julabo/cmd/setWT", """{"setpoint":1,"temp":99}""")]
    [InlineData("julabo/cmd/setWT", """{"setpoint":1,"temp":31}""")]
    [InlineData("julabo/cmd/setWT", "twenty degrees please")]
    [InlineData("julabo/cmd/setPress", """{"press":9}""")]
    [InlineData("julabo/cmd/stop", "")]
    public async Task Bad_input_gets_a_clear_refusal_and_changes_nothing(string topic, string payload)
    {
        var before = await StatusWhere(s => s.GetProperty("fsm_state").GetString() == "OFF", "OFF");
        var reply = await ReplyAsync(topic, payload);
        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(reply.GetProperty("error").GetString()));
        var after = await StatusWhere(_ => true, "a status");
        foreach (var key in new[] { "setpoint_1", "setpoint_2", "setpoint_3", "used_setpoint", "fsm_state" })
            Assert.Equal(before.GetProperty(key).ToString(), after.GetProperty(key).ToString());
    }

    [Fact]
    public async Task The_unit_holds_the_warning_limits_and_a_bath_beyond_them_raises_the_chiller_fault_until_it_is_back()
    {
        // The default band, written to the simulated unit over its TCP link and read back into julabo/status.
        await StatusWhere(s => s.GetProperty("fsm_state").GetString() == "OFF" && s.GetProperty("limit_high").GetDouble() == 30
            && s.GetProperty("limit_low").GetDouble() == -35, "OFF with limit_high 30 and limit_low -35");
        var refused = await ReplyAsync("julabo/cmd/setWT", """{"setpoint":1,"temp":31}""");
        Assert.Equal("temp 31 is above the chiller's high temperature warning limit 30 °C (Julabo:WarningLimitHigh)", refused.GetProperty("error").GetString());

        await using var alarms = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["alarms/active", "alarms/reply"]);
        Assert.True((await ReplyAsync("julabo/cmd/start", "")).GetProperty("ok").GetBoolean());
        await StatusWhere(s => s.GetProperty("fsm_state").GetString() == "ON", "ON");
        // A heat load the unit cannot take away holds the bath 15 K above its 20 °C set point: past the 30 °C limit.
        await _stand.PostAsAdminAsync("/api/simulator/julabo/heat?kelvin=15");
        await StatusWhere(s => s.GetProperty("status_code").GetInt32() == -3 && s.GetProperty("fsm_state").GetString() == "ERROR", "-03 and ERROR");
        var active = await alarms.WaitOnAsync("alarms/active", a => a.Contains("julabo.fault:julabo"), Wait, "julabo.fault raised");
        var fault = JsonDocument.Parse(active).RootElement.EnumerateArray().Single(a => a.GetProperty("key").GetString() == "julabo.fault:julabo");
        Assert.Matches(@"^chiller reports -03: EXCESS TEMPERATURE WARNING \(bath 3\d\.\d °C, high limit 30\.0 °C\)$", fault.GetProperty("message").GetString());

        await _stand.PostAsAdminAsync("/api/simulator/julabo/heat?kelvin=0");
        await StatusWhere(s => s.GetProperty("status_code").GetInt32() == 3 && s.GetProperty("fsm_state").GetString() == "ON", "back in band: 03 and ON");
        // The fault latches (Alarms:Latching): listed as cleared until someone acknowledges it.
        await alarms.WaitOnAsync("alarms/active", a => a.Contains("julabo.fault") && !a.Contains("\"cleared\":null"), Wait, "julabo.fault latched as cleared");
        Assert.True((await alarms.CommandAsync(_stand.MqttPort, Admin, "alarms/cmd/ack", """{"key":"julabo.fault:julabo"}""", Wait)).GetProperty("ok").GetBoolean());
        await alarms.WaitOnAsync("alarms/active", a => !a.Contains("julabo.fault"), Wait, "julabo.fault gone once acknowledged");
    }

    [Fact]
    public async Task A_replugged_cable_writes_the_limits_again_and_a_unit_without_them_raises_the_limits_alarm()
    {
        const string Written = "warning limits on the unit: high 30 °C, low -35 °C, as configured";
        await StatusWhere(s => s.GetProperty("fsm_state").GetString() == "OFF", "OFF");
        await using var alarms = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["alarms/active"]);
        // The console logger writes behind the MQTT publishes: give it a moment.
        int Writes() => _stand.Log.Split('\n').Count(l => l.Contains(Written));
        await Eventually.True(() => Writes() == 1, "the limits written once", seconds: 5);

        await _stand.PostAsAdminAsync("/api/simulator/julabo/unplug");
        await StatusWhere(s => s.GetProperty("fsm_state").GetString() == "DISCONNECTED", "DISCONNECTED");
        await _stand.PostAsAdminAsync("/api/simulator/julabo/plug");
        await StatusWhere(s => s.GetProperty("fsm_state").GetString() == "OFF", "OFF again");
        await Eventually.True(() => Writes() == 2, "the limits written again after the cable is back", seconds: 5);

        // An older unit without OUT_SP_03/IN_SP_03: the link stays up, the alarm says what is missing.
        await _stand.PostAsAdminAsync("/api/simulator/julabo/limits?writes=unsupported");
        Assert.True((await ReplyAsync("julabo/cmd/reconnect", "")).GetProperty("ok").GetBoolean());
        var active = await alarms.WaitOnAsync("alarms/active", a => a.Contains("julabo.limits:julabo"), Wait, "julabo.limits raised");
        var limits = JsonDocument.Parse(active).RootElement.EnumerateArray().Single(a => a.GetProperty("key").GetString() == "julabo.limits:julabo");
        Assert.Contains("could not be read back", limits.GetProperty("message").GetString());
        Assert.Contains("-08 INVALID COMMAND", limits.GetProperty("message").GetString());
        await StatusWhere(s => s.GetProperty("fsm_state").GetString() == "OFF", "OFF with the limits alarm");

        await _stand.PostAsAdminAsync("/api/simulator/julabo/limits?writes=accept");
        Assert.True((await ReplyAsync("julabo/cmd/reconnect", "")).GetProperty("ok").GetBoolean());
        await alarms.WaitOnAsync("alarms/active", a => !a.Contains("julabo.limits"), Wait, "julabo.limits cleared");
    }
}
