using System.Text.Json;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Alarms;

/// <summary>Each built-in alarm caused through the simulators' fault injection or sensor messages, and cleared again.</summary>
public sealed class AlarmStandTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private readonly StandProcess _stand = new(new Dictionary<string, string>
    {
        ["Alarms:SensorSilentAfterSeconds"] = "2",
        ["Alarms:DisconnectedAfterSeconds"] = "1",
        ["Alarms:DewPointMarginMin"] = "3",
        ["Julabo:PollPeriod"] = "00:00:00.300",
        ["Julabo:CommandInterval"] = "00:00:00.020",
        ["Julabo:ReplyTimeout"] = "00:00:00.300",
        ["Julabo:ReconnectDelayMin"] = "00:00:00.200",
        ["Julabo:ReconnectDelayMax"] = "00:00:00.500",
    });
    private MosquittoSubscriber _alarms = null!;

    public async Task InitializeAsync()
    {
        await _stand.StartAsync();
        await _stand.AddUserAsync("olivia", "operator", "operator-password");
        _alarms = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["alarms/active", "alarms/reply"]);
    }

    public async Task DisposeAsync()
    {
        await _alarms.DisposeAsync();
        await _stand.DisposeAsync();
    }

    private Task<ProcessResult> Publish(string[] auth, string topic, string payload) =>
        Mosquitto.PubAsync(_stand.MqttPort, [.. auth, "-q", "1", "-t", topic, "-m", payload]);

    private async Task StatusAsync(string state)
    {
        for (var deadline = DateTime.UtcNow + Wait; DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var status = await Mosquitto.SubAsync(_stand.MqttPort, [.. Admin, "-t", "dcs/status", "-C", "1", "-W", "5"]);
            if (status.Stdout.Contains($"\"{state}\"")) return;
        }
        throw new TimeoutException($"crate never {state}");
    }

    [Fact]
    public async Task A_trip_raises_channel_and_crate_alarms_an_operator_acknowledges_and_clear_ends_them()
    {
        await Publish(Admin, "dcs/cmd/switch/lv", "on");
        await StatusAsync("LV_ON");
        await Publish(Admin, "dcs/cmd/switch/hv", "on");
        await StatusAsync("HV_ON");
        await _stand.PostAsAdminAsync("/api/simulator/caen/trip/12/0");
        var active = await _alarms.ActiveWhereAsync(l => l.Any(a => a.GetProperty("key").GetString() == "caen.trip:0/hv")
            && l.Any(a => a.GetProperty("key").GetString() == "caen.crate_error:crate"), "the trip and the crate error");
        var trip = active.Single(a => a.GetProperty("key").GetString() == "caen.trip:0/hv");
        Assert.Equal("major", trip.GetProperty("severity").GetString());
        Assert.Contains("Power page → Clear alarms (a script sends dcs/cmd/clear)", trip.GetProperty("guidance").GetString());

        await Publish(Mosquitto.Auth("olivia", "operator-password"), "alarms/cmd/ack", """{"key":"caen.trip:0/hv"}""");
        await _alarms.ActiveWhereAsync(l => l.Any(a => a.GetProperty("key").GetString() == "caen.trip:0/hv"
            && a.GetProperty("acknowledged_by").GetString() == "olivia"), "the trip acknowledged by olivia");

        await Publish(Admin, "dcs/cmd/clear", "");
        await _alarms.ActiveWhereAsync(l => l.All(a => !a.GetProperty("key").GetString()!.StartsWith("caen.")), "no CAEN alarm");
    }

    [Fact]
    public async Task A_module_drawing_too_much_current_raises_over_current_but_not_while_it_ramps()
    {
        await Publish(Admin, "dcs/cmd/switch/lv", "on");
        await StatusAsync("LV_ON");
        await Publish(Admin, "dcs/cmd/switch/hv", "on");
        await StatusAsync("HV_ON");
        // 200 V into 0.1 MΩ is 2000 µA, far above I0Set (500 µA): the board sets the over-current bit.
        await _stand.PostAsAdminAsync("/api/simulator/caen/load/12/1?value=0.1");
        var active = await _alarms.RaisedAsync("caen.overcurrent:1/hv");
        Assert.Contains("HV of channel 1 (module_1) is over current", active.Single(a => a.GetProperty("key").GetString() == "caen.overcurrent:1/hv").GetProperty("message").GetString());
        await _stand.PostAsAdminAsync("/api/simulator/caen/load/12/1?value=100");
        await _alarms.ClearedAsync("caen.overcurrent:1/hv");
        await Publish(Admin, "dcs/cmd/switch/hv", "off");
        await Publish(Admin, "dcs/cmd/clear", "");
    }

    [Fact]
    public async Task An_unplugged_board_raises_an_alarm_until_it_is_back()
    {
        await _stand.PostAsAdminAsync("/api/simulator/caen/unplug/12");
        await _alarms.RaisedAsync("caen.unplugged:hv_board 12");
        await _stand.PostAsAdminAsync("/api/simulator/caen/unplug/12?plugged=true");
        await _alarms.ClearedAsync("caen.unplugged:hv_board 12");
    }

    [Fact]
    public async Task A_stopped_ioc_raises_disconnected_and_its_return_clears_it()
    {
        await _stand.PostAsAdminAsync("/api/simulator/caen/ioc/stop");
        await _alarms.RaisedAsync("device.disconnected:caen");
        await _stand.PostAsAdminAsync("/api/simulator/caen/ioc/start");
        await _alarms.ClearedAsync("device.disconnected:caen");
    }

    [Fact]
    public async Task Chiller_fault_manual_mode_and_pulled_cable()
    {
        await _stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        await _alarms.RaisedAsync("julabo.fault:julabo");
        await _stand.PostAsAdminAsync("/api/simulator/julabo/clear");
        // A chiller fault latches: it stays listed, marked cleared, until someone acknowledges it.
        await _alarms.ActiveWhereAsync(l => l.Any(a => a.GetProperty("key").GetString() == "julabo.fault:julabo"
            && a.GetProperty("cleared").ValueKind == JsonValueKind.String), "the fault latched as cleared");
        await Publish(Admin, "alarms/cmd/ack", """{"key":"julabo.fault:julabo"}""");
        await _alarms.ClearedAsync("julabo.fault:julabo");

        await _stand.PostAsAdminAsync("/api/simulator/julabo/manual");
        await _alarms.RaisedAsync("julabo.manual:julabo");
        await _stand.PostAsAdminAsync("/api/simulator/julabo/remote");
        await _alarms.ClearedAsync("julabo.manual:julabo");

        await _stand.PostAsAdminAsync("/api/simulator/julabo/unplug");
        await _alarms.RaisedAsync("device.disconnected:julabo");
        await _stand.PostAsAdminAsync("/api/simulator/julabo/plug");
        await _alarms.ClearedAsync("device.disconnected:julabo");
    }

    [Fact]
    public async Task A_silent_sensor_box_and_a_small_dew_point_margin()
    {
        await Publish(Admin, "ESP07/sensors/BME/temp", "25");
        await Publish(Admin, "ESP07/sensors/BME/humi", "95");   // dew point 24.1 °C, above the 22 °C bath
        var active = await _alarms.RaisedAsync("environment.dewpoint:stand");
        Assert.Contains("below 3.0 °C", active.Single(a => a.GetProperty("key").GetString() == "environment.dewpoint:stand").GetProperty("message").GetString());
        await Publish(Admin, "ESP07/sensors/BME/humi", "20");   // dew point 0.5 °C
        await _alarms.ClearedAsync("environment.dewpoint:stand");
        await _alarms.RaisedAsync("sensor.silent:ESP07");                    // nothing for 2 s
        await Publish(Admin, "ESP07/sensors/BME/temp", "25");
        await _alarms.ClearedAsync("sensor.silent:ESP07");
    }

    [Fact]
    public async Task Shelving_needs_a_reason_and_is_kept_in_the_history()
    {
        await _stand.PostAsAdminAsync("/api/simulator/julabo/manual");
        await _alarms.RaisedAsync("julabo.manual:julabo");
        await Publish(Admin, "alarms/cmd/shelve", """{"key":"julabo.manual:julabo","minutes":30}""");
        var refused = await _alarms.NextOnAsync("alarms/reply", Wait);
        Assert.Contains("shelving needs a reason", refused);
        await Publish(Admin, "alarms/cmd/shelve", """{"key":"julabo.manual:julabo","minutes":30,"reason":"unit under maintenance"}""");
        await _alarms.ActiveWhereAsync(l => l.Any(a => a.GetProperty("key").GetString() == "julabo.manual:julabo"
            && a.GetProperty("shelve_reason").GetString() == "unit under maintenance"), "the alarm shelved");

        var database = Path.Combine(_stand.DataDirectory, "trackerdcs.db");
        var history = await ProcessRunner.RunAsync("sqlite3", [database, "SELECT event || ' ' || user || ' ' || ifnull(detail,'') FROM alarm_events WHERE key='julabo.manual:julabo' ORDER BY id"]);
        Assert.Contains("raised dcs", history.Stdout);
        Assert.Contains("shelved admin until", history.Stdout);
        Assert.Contains("unit under maintenance", history.Stdout);
    }
}
