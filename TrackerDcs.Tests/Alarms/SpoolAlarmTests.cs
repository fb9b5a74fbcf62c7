using TrackerDcs.Tests.Support;


namespace TrackerDcs.Tests.Alarms;

/// <summary>The spool alarm: InfluxDB away, the spool fills, the alarm is raised; InfluxDB back, the spool drains, it clears.</summary>
public sealed class SpoolAlarmTests
{
    [Fact]
    public async Task A_filling_spool_raises_an_alarm_that_clears_when_influxdb_takes_the_readings()
    {
        await using var influx = new InfluxServer(); // not started yet: nobody answers on its port
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["TimeSeries:Influx:Api"] = "V1",
            ["TimeSeries:Influx:Url"] = influx.Url,
            ["TimeSeries:Influx:Database"] = "spooltest",
            ["TimeSeries:SpoolMaxBytes"] = "20000",
            ["TimeSeries:FlushInterval"] = "00:00:00.200",
            ["TimeSeries:MaxRetryDelay"] = "00:00:01",
            ["Alarms:SpoolFullPercentMax"] = "50",
            ["Caen:PublishPeriodSeconds"] = "0.5",
        });
        await stand.StartAsync();
        await using var alarms = await MosquittoSubscriber.StartAsync(stand.MqttPort, Mosquitto.Auth("admin", StandProcess.AdminPassword), ["alarms/active"]);
        await alarms.WaitOnAsync("alarms/active", a => a.Contains("timeseries.spool:influxdb"), TimeSpan.FromSeconds(60), "the spool alarm");
        await influx.StartAsync();
        await alarms.WaitOnAsync("alarms/active", a => !a.Contains("timeseries.spool:influxdb"), TimeSpan.FromSeconds(60), "the spool alarm cleared");
    }
}
