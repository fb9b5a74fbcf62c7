using System.Text.Json;
using TrackerDcs.Tests.Runs;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Deploy;

/// <summary>
/// InfluxDB with authentication and the users of deploy/docker-compose.yml: TrackerDcs as a user with read and
/// write rights on the database only (not an admin, so it may not create the database), Grafana as a read-only
/// user. Readings and run events must arrive, and the runs' conditions must be read back, with those rights.
/// </summary>
public sealed class InfluxUsersTests
{
    private const string Database = "trackerdcs";
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    [Fact]
    public async Task A_stand_with_a_read_write_user_writes_readings_and_run_events_that_the_read_only_user_sees()
    {
        await using var influx = new InfluxServer(admin: ("influx-admin", "admin-secret"));
        await influx.StartAsync();
        foreach (var statement in new[]
        {
            $"CREATE DATABASE \"{Database}\"",
            "CREATE USER \"trackerdcs\" WITH PASSWORD 'rw-secret'", $"GRANT ALL ON \"{Database}\" TO \"trackerdcs\"",
            "CREATE USER \"grafana\" WITH PASSWORD 'ro-secret'", $"GRANT READ ON \"{Database}\" TO \"grafana\"",
        })
            await influx.QueryAsync("", statement);

        var settings = new Dictionary<string, string>
        {
            ["TimeSeries:Influx:Api"] = "V1",
            ["TimeSeries:Influx:Url"] = influx.Url,
            ["TimeSeries:Influx:Database"] = Database,
            ["TimeSeries:Influx:User"] = "trackerdcs",
            ["TimeSeries:Influx:Password"] = "rw-secret",
            ["TimeSeries:FlushInterval"] = "00:00:00.2",
            ["Runs:InfluxDb"] = influx.Url,
            ["Runs:InfluxDatabase"] = Database,
            ["Runs:InfluxUser"] = "trackerdcs",
            ["Runs:InfluxPassword"] = "rw-secret",
        };
        foreach (var (key, value) in RunStand.Calibration("quick", ["--seconds", "0.5"])) settings[key] = value;
        await using var stand = new StandProcess(settings);
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["ph2acf/reply", "ph2acf/status"]);

        var started = await sub.CommandAsync(stand.MqttPort, Admin, "ph2acf/cmd/start", """{"calibration":"quick","modules":["module_0"]}""", TimeSpan.FromSeconds(20));
        Assert.True(started.GetProperty("ok").GetBoolean(), started.ToString());
        var run = started.GetProperty("data").GetProperty("run").GetInt64();
        await sub.WaitOnAsync("ph2acf/status", p => p.Contains("\"finished\""), TimeSpan.FromSeconds(30), "the run finished");

        // What Grafana sees, as Grafana's user: the run's two events for the annotation, and the crate's readings.
        using var grafana = new HttpClient();
        grafana.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("grafana:ro-secret"u8.ToArray()));
        async Task<JsonElement> QueryAsGrafanaAsync(string influxQl)
        {
            var body = await grafana.GetStringAsync($"{influx.Url}/query?db={Database}&epoch=ms&q={Uri.EscapeDataString(influxQl)}");
            return JsonDocument.Parse(body).RootElement.GetProperty("results")[0];
        }
        await RunStand.Eventually(async () => (await QueryAsGrafanaAsync($"SELECT \"text\" FROM \"runs\" WHERE \"run\" = {run}"))
            is var result && result.TryGetProperty("series", out var series) && series[0].GetProperty("values").GetArrayLength() == 2,
            "the run's start and end events readable by the read-only user", seconds: 20);
        await RunStand.Eventually(async () => (await QueryAsGrafanaAsync("SELECT count(\"lv_vMon\") FROM \"channels\"")).TryGetProperty("series", out _),
            "channel readings readable by the read-only user", seconds: 20);
        Assert.DoesNotContain("CREATE DATABASE", stand.Log.Split('\n').Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase)));

        // The conditions of the run, read back from InfluxDB with the stand's user.
        var conditions = await sub.CommandAsync(stand.MqttPort, Admin, "ph2acf/cmd/conditions", $$"""{"run":{{run}}}""", TimeSpan.FromSeconds(20));
        Assert.True(conditions.GetProperty("ok").GetBoolean(), conditions.ToString());
        Assert.Equal("influxdb", conditions.GetProperty("data").GetProperty("source").GetString());

        // The read-only user cannot write.
        using var write = await grafana.PostAsync($"{influx.Url}/write?db={Database}", new StringContent("x v=1"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, write.StatusCode);
    }
}
