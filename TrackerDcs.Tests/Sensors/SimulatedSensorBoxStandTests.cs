using System.Globalization;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Sensors;

/// <summary>
/// The simulated sensor box (Sensors:Simulated) publishes through the broker like a real box: its readings reach
/// MQTT clients, and its faults raise the same alarms a real box's readings would.
/// </summary>
public sealed class SimulatedSensorBoxStandTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private readonly StandProcess _stand = new(new Dictionary<string, string>
    {
        ["Sensors:Simulated"] = "true",
        ["Sensors:SimulatedPeriod"] = "00:00:00.200",
        ["Alarms:SensorSilentAfter"] = "00:00:02",
        ["Alarms:DewPointMarginMin"] = "3",
    });
    private MosquittoSubscriber _mqtt = null!;

    public async Task InitializeAsync()
    {
        await _stand.StartAsync();
        _mqtt = await MosquittoSubscriber.StartAsync(_stand.MqttPort, Admin, ["alarms/active", "ESP90/sensors/#"]);
    }

    public async Task DisposeAsync()
    {
        await _mqtt.DisposeAsync();
        await _stand.DisposeAsync();
    }

    [Fact]
    public async Task The_box_publishes_clean_room_air_and_its_faults_raise_the_alarms()
    {
        var temperature = await _mqtt.WaitOnAsync("ESP90/sensors/BME/temp", _ => true, Wait, "a temperature");
        Assert.InRange(double.Parse(temperature, CultureInfo.InvariantCulture), 20, 22);
        var humidity = await _mqtt.WaitOnAsync("ESP90/sensors/BME/humi", _ => true, Wait, "a humidity");
        Assert.InRange(double.Parse(humidity, CultureInfo.InvariantCulture), 30, 50);

        // Humid air: its dew point comes within 3 °C of the coldest temperature on the stand (the chiller's bath).
        await _stand.PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=21");
        await _mqtt.RaisedAsync("environment.dewpoint:stand");
        await _stand.PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=7");
        await _mqtt.ClearedAsync("environment.dewpoint:stand");

        await _stand.PostAsAdminAsync("/api/simulator/sensors/silence");
        await _mqtt.RaisedAsync("sensor.silent:ESP90");
        await _stand.PostAsAdminAsync("/api/simulator/sensors/resume");
        await _mqtt.ClearedAsync("sensor.silent:ESP90");
    }
}
