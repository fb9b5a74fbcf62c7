using System.Globalization;
using System.Text.Json;
using MQTTnet;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

/// <summary>
/// The real process on its simulators writing into Debian's influxd 1.6.7, queried with InfluxQL as Grafana
/// does and compared with what Mosquitto's clients saw. 1.6.7 has only the v1 API (/write, /query; /api/v2
/// came with 1.8), so the v1 sink is what runs end to end here; the v2 sink is shown against the same server
/// as far as it allows: its 404 keeps the readings in the spool (<see cref="V2_sink_against_a_server_without_the_v2_api_keeps_the_readings_spooled"/>).
/// </summary>
public sealed class InfluxStandTests
{
    private const string Database = "trackerdcs";

    private static Dictionary<string, string> Settings(InfluxServer influx, string api = "V1") => new()
    {
        ["TimeSeries:Influx:Api"] = api,
        ["TimeSeries:Influx:Url"] = influx.Url,
        ["TimeSeries:Influx:Database"] = Database,
        ["TimeSeries:Influx:Org"] = "cms",
        ["TimeSeries:Influx:Bucket"] = Database,
        ["TimeSeries:Influx:Token"] = "admin:admin",
        ["TimeSeries:FlushInterval"] = "00:00:00.2",
        ["Julabo:PollPeriod"] = "00:00:00.5",
        ["Julabo:CommandInterval"] = "00:00:00.05",
        ["Caen:PublishPeriodSeconds"] = "1",
    };

    private static async Task<List<JsonElement>> RowsAsync(InfluxServer influx, string query)
    {
        using var document = JsonDocument.Parse(await influx.QueryAsync(Database, query));
        var rows = new List<JsonElement>();
        foreach (var result in document.RootElement.GetProperty("results").EnumerateArray())
            if (result.TryGetProperty("series", out var series))
                foreach (var s in series.EnumerateArray())
                    foreach (var row in s.GetProperty("values").EnumerateArray()) rows.Add(row.Clone());
        return rows;
    }

    private static async Task<List<JsonElement>> RowsWhenAsync(InfluxServer influx, string query, Func<List<JsonElement>, bool> done, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (true)
        {
            List<JsonElement> rows = [];
            try
            {
                rows = await RowsAsync(influx, query);
            }
            catch (InvalidOperationException) { } // database not created yet
            if (done(rows)) return rows;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {seconds} s waiting for {what}; last answer to {query}: {rows.Count} rows");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Chiller_channels_and_sensor_boxes_reach_influxdb_as_grafana_queries_them()
    {
        await using var influx = new InfluxServer();
        await influx.StartAsync();
        await using var stand = new StandProcess(Settings(influx));
        await stand.StartAsync();
        await stand.AddUserAsync("esp", "device", "esp-password", "ESP");
        await using var subscriber = await MosquittoSubscriber.StartAsync(stand.MqttPort, Mosquitto.Auth("admin", StandProcess.AdminPassword),
            ["julabo/status", "dcs/channels"]);

        // A field InfluxDB already holds as a string in the current shard (1.x types a measurement's fields per
        // shard): the writer's float for it is refused with a type conflict.
        var stringTime = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        // And a channels point as the seed's Telegraf wrote it (a stand continuing a seed database): its LV thresholds
        // are spelt lv_unVthr and lv_ovVthr, and TrackerDcs must add no second spelling.
        const string seedChannel = "channels,hv_board=12,hv_channel=0,id=0,lv_board=0,lv_channel=0,module=module_0 lv_unVthr=0,lv_ovVthr=15";
        using (var http = new HttpClient())
            Assert.True((await http.PostAsync($"{influx.Url}/write?db={Database}&precision=ms",
                new StringContent($"sensors,sensor=ESP09 CCS_tvoc=\"high\" {stringTime}\n{seedChannel} {stringTime}"))).IsSuccessStatusCode);

        // Bad input among good: an oversize payload, a word, a type conflict; all dropped with a reason, the rest written.
        var bad = new[] { ("ESP03/sensors/BME/temp", new string('9', 70_000)), ("ESP03/sensors/BME/humi", "wet"), ("ESP09/sensors/CCS/tvoc", "19") };
        foreach (var (topic, value) in bad)
        {
            var published = await Mosquitto.PubAsync(stand.MqttPort, [.. Mosquitto.Auth("esp", "esp-password"), "-t", topic, "-m", value]);
            Assert.True(published.ExitCode == 0, published.ToString());
        }
        // The boxes' readings as a box sends them: back to back on one connection, so that ESP01's three fall in one
        // 1 s merge window (one mosquitto_pub process each took longer than that to start on loaded cores).
        using (var box = new MqttClientFactory().CreateMqttClient())
        {
            await box.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", stand.MqttPort).WithCredentials("esp", "esp-password").Build());
            foreach (var (topic, value) in new[] { ("ESP01/sensors/BME/temp", "21.5"), ("ESP01/sensors/BME/humi", "40"), ("ESP01/sensors/DS/temp", "20.25"), ("ESP02/sensors/SCD30/co2", "415") })
                await box.PublishStringAsync(topic, value, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
            await box.DisconnectAsync();
        }

        // What MQTT clients saw for ~4 s: chiller temperatures in order, channel 0's LV voltage in order.
        var chiller = new List<double>();
        var channel0 = new List<double>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        while (DateTime.UtcNow < until && await subscriber.NextAsync(until - DateTime.UtcNow) is { } line)
        {
            var space = line.IndexOf(' ');
            using var json = JsonDocument.Parse(line[(space + 1)..]);
            // A status without a reading (internal_temp null: the chiller not read yet, e.g. on a loaded machine) makes no internal_temp value.
            if (line.StartsWith("julabo/status ")) { if (json.RootElement.GetProperty("internal_temp") is { ValueKind: JsonValueKind.Number } t) chiller.Add(t.GetDouble()); }
            else if (json.RootElement.GetProperty("id").ToString() == "0" && json.RootElement.TryGetProperty("lv_vMon", out var v)) channel0.Add(v.GetDouble());
        }
        Assert.True(chiller.Count >= 4, $"{chiller.Count} julabo/status messages in 4 s");
        Assert.True(channel0.Count >= 2, $"{channel0.Count} dcs/channels messages of channel 0 in 4 s");

        // Every message seen (the first julabo/status is the retained copy of the last one before) is in InfluxDB
        // once, in the same order; InfluxDB also holds those from before the subscription.
        var stored = await RowsWhenAsync(influx, """SELECT "internal_temp" FROM "chiller" """,
            rows => ContainsRun(rows.Select(r => r[1].GetDouble()).ToList(), chiller), "the chiller readings seen on MQTT");
        var storedChannel = await RowsWhenAsync(influx, """SELECT "lv_vMon" FROM "channels" WHERE "id" = '0'""",
            rows => ContainsRun(rows.Select(r => r[1].GetDouble()).ToList(), channel0), "channel 0's readings seen on MQTT");

        // Grafana's query: 10 s means of what was stored.
        var means = await RowsAsync(influx, """SELECT mean("internal_temp") FROM "chiller" WHERE time > now() - 5m GROUP BY time(10s) fill(none)""");
        Assert.NotEmpty(means);
        var (low, high) = (stored.Min(r => r[1].GetDouble()), stored.Max(r => r[1].GetDouble()));
        Assert.All(means, m => Assert.InRange(m[1].GetDouble(), low, high));

        // Channel fields by id tag, with the integer conversions.
        var ids = await RowsAsync(influx, """SELECT last("lv_status") FROM "channels" GROUP BY "id" """);
        Assert.True(ids.Count >= 2, $"{ids.Count} channel ids");
        var types = await influx.QueryAsync(Database, "SHOW FIELD KEYS FROM \"channels\"");
        Assert.Contains("[\"lv_status\",\"integer\"]", types);
        Assert.Contains("[\"fsm_state\",\"string\"]", types);
        Assert.Contains("[\"lv_vMon\",\"float\"]", types);
        Assert.Contains("[\"lv_unVthr\",\"float\"]", types);
        Assert.Contains("[\"lv_ovVthr\",\"float\"]", types);
        Assert.DoesNotContain("lv_unVThr", types);
        Assert.DoesNotContain("lv_ovVThr", types);

        // The boxes: one point each, merged, with the dew point computed for ESP01.
        var sensors = await RowsWhenAsync(influx, """SELECT "BME_temp", "BME_humi", "BME_dew", "DS_temp", "SCD30_co2" FROM "sensors" GROUP BY "sensor" """,
            rows => rows.Count == 2, "one sensors point per box");
        var esp01 = sensors.Single(r => r[1].ValueKind == JsonValueKind.Number);
        Assert.Equal(21.5, esp01[1].GetDouble());
        Assert.Equal(40, esp01[2].GetDouble());
        Assert.Equal(7.32, esp01[3].GetDouble(), 0.01);
        Assert.Equal(20.25, esp01[4].GetDouble());
        var esp02 = sensors.Single(r => r[1].ValueKind == JsonValueKind.Null);
        Assert.Equal(415, esp02[5].GetDouble());
        Assert.Equal(3, (await RowsAsync(influx, """SHOW TAG VALUES FROM "sensors" WITH KEY = "sensor" """)).Count);
        Assert.Contains("payload of 70000 bytes exceeds TimeSeries:MaxPayloadBytes", stand.Log);
        Assert.Contains("payload 'wet' is not a number", stand.Log);
        var deadLetters = await File.ReadAllTextAsync(Path.Combine(stand.DataDirectory, "timeseries-dead-letters.txt"));
        Assert.Contains("field type conflict", deadLetters);
        Assert.Contains("sensors,sensor=ESP09 CCS_tvoc=19", deadLetters);

        Assert.True(storedChannel.Count >= channel0.Count);
    }

    /// <summary>Whether <paramref name="run"/> occurs in <paramref name="all"/> as consecutive elements.</summary>
    private static bool ContainsRun(List<double> all, List<double> run)
    {
        for (var start = 0; start + run.Count <= all.Count; start++)
            if (all.Skip(start).Take(run.Count).SequenceEqual(run)) return true;
        return false;
    }

    [Fact]
    public async Task Influxdb_away_for_20_s_and_a_restart_of_trackerdcs_lose_and_double_nothing()
    {
        await using var influx = new InfluxServer();
        await influx.StartAsync();
        // Small spool segments: the outage fills many, the restart finds them, the replay deletes them.
        var settings = Settings(influx);
        settings["TimeSeries:SpoolSegmentBytes"] = "16384";
        await using var stand = new StandProcess(settings);
        await stand.StartAsync();
        await stand.AddUserAsync("esp", "device", "esp-password", "ESP");

        // One reading per 1.05 s, more than the 1 s merge window apart: each is its own point.
        var published = 0;
        async Task PublishAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var result = await Mosquitto.PubAsync(stand.MqttPort, [.. Mosquitto.Auth("esp", "esp-password"), "-t", "ESP42/sensors/BME/temp", "-m", published.ToString(CultureInfo.InvariantCulture), "-q", "1"]);
                Assert.True(result.ExitCode == 0, result.ToString());
                published++;
                await Task.Delay(1050);
            }
        }

        await PublishAsync(3);
        await influx.StopAsync();
        var outageStart = DateTimeOffset.UtcNow;
        // 60 s of outage (the figure), with a restart of TrackerDcs in its middle.
        await PublishAsync(28);
        // The stand stops with readings in its spool and comes back on the same data directory.
        await stand.StopAsync();
        var segments = SpoolSegments(stand);
        Assert.True(segments.Sum(f => f.Length) > 0, "the spool holds the readings while InfluxDB is away");
        Assert.True(segments.Length >= 3, $"{segments.Length} spool segments after 30 s of outage");
        await stand.StartAsync();
        await PublishAsync(28);
        var outage = DateTimeOffset.UtcNow - outageStart;
        await influx.StartAsync();
        await PublishAsync(3);

        var rows = await RowsWhenAsync(influx, """SELECT "BME_temp" FROM "sensors" WHERE "sensor" = 'ESP42'""",
            r => r.Count >= published, $"{published} readings", seconds: 30);
        // Exactly once, in order: the values are 0, 1, 2, … as published.
        Assert.Equal(Enumerable.Range(0, published).Select(i => (double)i), rows.Select(r => r[1].GetDouble()));
        Assert.True(outage > TimeSpan.FromSeconds(60), $"outage {outage}");

        // The stand's own chiller readings of the outage are there too, every 0.5 s poll at least.
        var during = await RowsAsync(influx, $"SELECT count(\"internal_temp\") FROM \"chiller\" WHERE time >= {outageStart.ToUnixTimeMilliseconds()}ms AND time < {(outageStart + TimeSpan.FromSeconds(8)).ToUnixTimeMilliseconds()}ms");
        Assert.True(during.Single()[1].GetInt64() >= 8, $"{during.Single()[1]} chiller points in the first 8 s of the outage");
        Assert.Contains("spool holds", stand.Log);
        // Delivered segments are gone (the newest stays for the next readings; the oldest may be in delivery). The
        // replay reaches the last reading above while the stand goes on spooling its own readings behind it; on
        // loaded cores it catches up with them some seconds later.
        await Eventually.True(() => SpoolSegments(stand).Length <= 3, "the replay to catch up and delete the delivered segments", seconds: 60);
    }

    private static FileInfo[] SpoolSegments(StandProcess stand) =>
        new DirectoryInfo(Path.Combine(stand.DataDirectory, "timeseries")).GetFiles("spool-*.lp");

    [Fact]
    public async Task V2_sink_against_a_server_without_the_v2_api_keeps_the_readings_spooled()
    {
        await using var influx = new InfluxServer();
        await influx.StartAsync();
        await using var stand = new StandProcess(Settings(influx, "V2"));
        await stand.StartAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (SpoolSegments(stand).Sum(f => f.Length) == 0 || !stand.Log.Contains("not writable"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no spooled readings and no warning:\n{stand.Log}");
            await Task.Delay(200);
        }
        Assert.Contains("404", stand.Log);
        Assert.Contains("spooling", (await stand.ReadinessAsync()).Body);
    }
}
