using TrackerDcs.Tests.Support;
using TrackerDcs.Web.History;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

/// <summary>A fresh stand with no InfluxDB: the readings land in its embedded database, where the panel's reader finds them.</summary>
public sealed class EmbeddedStandTests
{
    [Fact]
    public async Task Without_influxdb_the_stand_keeps_its_readings_in_sqlite()
    {
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["TimeSeries:FlushInterval"] = "00:00:00.2",
            ["Julabo:PollPeriod"] = "00:00:00.5",
        });
        var start = DateTimeOffset.UtcNow;
        await stand.StartAsync();
        await Mosquitto.PubAsync(stand.MqttPort, [.. Mosquitto.Auth("admin", StandProcess.AdminPassword), "-t", "ESP05/sensors/BME/temp", "-m", "23.5"]);

        // The test reads the stand's database file as the panel's reader in the process would.
        var reader = new EmbeddedStore(new Database(Path.Combine(stand.DataDirectory, "trackerdcs.db")), new TimeSeriesOptions(), TimeProvider.System);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var chiller = await reader.ReadAsync(new SignalId("chiller", "internal_temp"), start, DateTimeOffset.UtcNow.AddSeconds(1), 10, CancellationToken.None);
            var sensor = await reader.ReadAsync(new SignalId("sensors", "BME_temp", [new("sensor", "ESP05")]), start, DateTimeOffset.UtcNow.AddSeconds(1), 10, CancellationToken.None);
            if (chiller.Times.Count > 0 && sensor.Times.Count == 1)
            {
                Assert.Equal(23.5, sensor.Values[0]);
                Assert.All(chiller.Values, v => Assert.InRange(v ?? 0, -50, 50));
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no chiller or sensor history after 15 s:\n{stand.Log}");
            await Task.Delay(200);
        }
    }
}
