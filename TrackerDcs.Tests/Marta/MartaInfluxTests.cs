using System.Text.Json;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Marta;

/// <summary>
/// The real process with its simulated MARTA writing measurement MARTA into Debian's influxd 1.6.7 through the
/// default mapping rule, queried as the seed's Grafana dashboard did.
/// </summary>
public sealed class MartaInfluxTests
{
    private const string Database = "trackerdcs";

    private static async Task<List<JsonElement>> RowsWhenAsync(InfluxServer influx, string query, string what, Func<List<JsonElement>, bool>? done = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var rows = new List<JsonElement>();
            try
            {
                using var document = JsonDocument.Parse(await influx.QueryAsync(Database, query));
                foreach (var result in document.RootElement.GetProperty("results").EnumerateArray())
                    if (result.TryGetProperty("series", out var series))
                        foreach (var s in series.EnumerateArray())
                            foreach (var row in s.GetProperty("values").EnumerateArray()) rows.Add(row.Clone());
            }
            catch (InvalidOperationException) { } // the database is not created yet
            if (rows.Count > 0 && (done is null || done(rows))) return rows;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after 30 s waiting for {what}: {query} returned no rows");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task The_seed_grafana_queries_return_MARTA_data_after_a_run()
    {
        await using var influx = new InfluxServer();
        await influx.StartAsync();
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["TimeSeries:Influx:Api"] = "V1",
            ["TimeSeries:Influx:Url"] = influx.Url,
            ["TimeSeries:Influx:Database"] = Database,
            ["TimeSeries:FlushInterval"] = "00:00:00.2",
            ["Marta:PollPeriod"] = "00:00:00.200",
        });
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, Mosquitto.Auth("admin", StandProcess.AdminPassword), ["MARTA/status", "MARTA/reply"]);
        // MARTA/status is not retained: refresh has everything published again (the seed's forced publish).
        await sub.CommandAsync(stand.MqttPort, Mosquitto.Auth("admin", StandProcess.AdminPassword), "MARTA/cmd/refresh", "", TimeSpan.FromSeconds(20));
        var status = await sub.WaitOnAsync("MARTA/status", s => s.Contains("\"TT05_CO2\""), TimeSpan.FromSeconds(20), "a full MARTA/status");
        using var published = JsonDocument.Parse(status[(status.IndexOf(' ') + 1)..]);

        foreach (var field in new[] { "TT05_CO2", "PT01_CO2", "FT01_CO2", "LP_speed" })
        {
            // The value the full status showed on MQTT, as a float.
            var value = published.RootElement.GetProperty(field).GetDouble();
            await RowsWhenAsync(influx, $"""SELECT "{field}" FROM "autogen"."MARTA" """, $"{field} = {value} in MARTA",
                rows => rows.Any(r => Math.Abs(r[1].GetDouble() - value) < 1e-4));
        }
        // The state as a string field, the status as an integer (Telegraf's InfluxDB 1.x output wrote unsigned as integer).
        var state = await RowsWhenAsync(influx, """SELECT "fsm_state", "status" FROM "autogen"."MARTA" WHERE "fsm_state" = 'CONNECTED'""", "fsm_state CONNECTED");
        Assert.Equal(1, state[0][2].GetInt64());
        var types = await RowsWhenAsync(influx, """SHOW FIELD KEYS FROM "MARTA" """, "the field types");
        Assert.Contains(types, r => r[0].GetString() == "status" && r[1].GetString() == "integer");
        Assert.Contains(types, r => r[0].GetString() == "TT05_CO2" && r[1].GetString() == "float");
        Assert.Contains(types, r => r[0].GetString() == "fsm_state" && r[1].GetString() == "string");
    }
}
