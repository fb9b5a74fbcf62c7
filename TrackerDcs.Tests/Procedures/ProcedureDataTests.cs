using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Procedures;

namespace TrackerDcs.Tests.Procedures;

/// <summary>
/// What a procedure run leaves besides its record: its events in InfluxDB's <c>procedures</c> measurement and its IV
/// points in <c>iv</c>, both through the spool while influxd was away; and its JSON and CSV exports over the HTTP API,
/// each compared with the stored run.
/// </summary>
public sealed class ProcedureDataTests(IvScanInfluxStand stand) : IClassFixture<IvScanInfluxStand>
{
    private IvScanResult Scan => IvScanResult.Of(stand.Stored()).Single();

    private async Task<List<JsonObject>> RowsWhenAsync(string query, int count, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            List<JsonObject> rows = [];
            try
            {
                rows = await stand.Influx.QueryRowsAsync(IvScanInfluxStand.Database, query);
            }
            catch (InvalidOperationException) { } // the database is not created until the spool is replayed
            if (rows.Count >= count) return rows;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}: {rows.Count} of {count} rows for {query}");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task The_iv_points_reach_the_iv_measurement_through_the_spool_one_per_point_with_their_tags_and_conditions()
    {
        var points = Scan.Points;
        Assert.Equal([0.0, 20, 40, 60, 80], points.Select(p => p.VSet));

        var rows = await RowsWhenAsync($"""SELECT * FROM "iv" WHERE "run" = '{stand.Run}' ORDER BY time""", points.Count, "the scan's points");

        Assert.Equal(points.Count, rows.Count);
        for (var k = 0; k < points.Count; k++)
        {
            var (row, point) = (rows[k], points[k]);
            Assert.Equal(point.TimeMs, row["time"]!.GetValue<long>());
            Assert.Equal(("iv-scan", "0", "module_0"), (row["procedure"]!.GetValue<string>(), row["channel"]!.GetValue<string>(), row["module"]!.GetValue<string>()));
            Assert.Equal(point.VSet, row["V_set"]!.GetValue<double>());
            Assert.Equal(point.V!.Value, row["V"]!.GetValue<double>());
            Assert.Equal(point.I, row["I"]!.GetValue<double>());
            Assert.Equal(point.IStd, row["I_std"]!.GetValue<double>());
            Assert.Equal(point.ChillerBath!.Value, row["T"]!.GetValue<double>());
            Assert.Equal(point.SensorTemperature!.Value, row["T_sensor"]!.GetValue<double>());
        }
        // The sensor's curve as the simulator draws it: rising with the bias up to depletion.
        Assert.True(rows[^1]["I"]!.GetValue<double>() > rows[1]["I"]!.GetValue<double>(), "the current rises with the bias");
    }

    [Fact]
    public async Task The_run_s_start_steps_and_end_are_events_of_the_procedures_measurement_for_grafana_annotations()
    {
        var run = stand.Stored();

        var rows = await RowsWhenAsync($"""SELECT * FROM "procedures" WHERE "run" = '{stand.Run}' ORDER BY time""", run.StepCount + 2, "the run's events");

        Assert.Equal(["start", .. run.Steps.Select(_ => "step"), "end"], rows.Select(r => r["event"]!.GetValue<string>()));
        Assert.All(rows, r => Assert.Equal("iv-scan", r["procedure"]!.GetValue<string>()));
        Assert.Equal(run.StartMs, rows[0]["time"]!.GetValue<long>());
        Assert.Equal(run.EndMs, rows[^1]["time"]!.GetValue<long>());
        Assert.Equal(run.Steps.Select(s => s.StartMs), rows.Skip(1).SkipLast(1).Select(r => r["time"]!.GetValue<long>()));
        Assert.Equal(run.Steps.Select(s => s.Kind), rows.Skip(1).SkipLast(1).Select(r => r["kind"]!.GetValue<string>()));
        Assert.Equal($"procedure run {stand.Run} started: iv-scan on module_0 by admin", rows[0]["text"]!.GetValue<string>());
        Assert.Equal($"procedure run {stand.Run} finished", rows[^1]["text"]!.GetValue<string>());
        Assert.Equal("finished", rows[^1]["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_viewer_downloads_the_json_export_which_is_the_stored_run_with_its_iv_curves()
    {
        var (status, body, type) = await stand.GetAsync($"/api/procedures/runs/{stand.Run}/export.json", "viewer", IvScanInfluxStand.ViewerPassword);

        Assert.Equal((200, "application/json"), (status, type));
        var export = JsonNode.Parse(body)!;
        var run = stand.Stored();
        Assert.Equal(JsonSerializer.Serialize(run, Web.Common.Json.Options), export["run"]!.ToJsonString(Web.Common.Json.Options));
        var scan = export["iv_scans"]!.AsArray().Single()!;
        Assert.Equal(run.Steps.Single(s => s.Kind == "iv_scan").Index, scan["step"]!.GetValue<int>());
        Assert.Equal(JsonSerializer.Serialize(Scan.Points, Web.Common.Json.Options), scan["points"]!.ToJsonString(Web.Common.Json.Options));
    }

    [Fact]
    public async Task A_viewer_downloads_the_csv_export_with_the_parameters_the_steps_and_the_iv_points()
    {
        var (status, body, type) = await stand.GetAsync($"/api/procedures/runs/{stand.Run}/export.csv", "viewer", IvScanInfluxStand.ViewerPassword);

        Assert.Equal((200, "text/csv"), (status, type));
        var tables = Tables(body);
        var run = stand.Stored();
        var about = tables["run"].ToDictionary(r => r[0], r => r[1]);
        Assert.Equal((stand.Run.ToString(CultureInfo.InvariantCulture), "iv-scan", "finished", "exported", "module_0"),
            (about["run"], about["procedure"], about["state"], about["comment"], about["modules"]));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(run.StartMs).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), about["start_utc"]);
        Assert.Equal(run.Parameters.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)),
            tables["parameter"].Select(r => (r[0], double.Parse(r[1], CultureInfo.InvariantCulture))).OrderBy(p => p.Item1));
        Assert.Equal(run.Steps.Select(s => (s.Index.ToString(CultureInfo.InvariantCulture), s.Kind, s.Description)),
            tables["step"].Select(r => (r[0], r[1], r[3])));
        Assert.Equal(run.Steps.Select(s => s.EndMs), tables["step"].Select(r => (long?)DateTimeOffset.Parse(r[5], CultureInfo.InvariantCulture).ToUnixTimeMilliseconds()));
        var points = Scan.Points;
        Assert.Equal(points.Select(p => (p.Channel, p.VSet, p.I, p.IStd, p.ChillerBath, p.SensorTemperature)),
            tables["iv"].Select(r => (r[1], D(r[3]), D(r[5]), D(r[6]), (double?)D(r[8]), (double?)D(r[11]))));
    }

    [Fact]
    public async Task A_viewer_lists_the_runs_without_their_steps_and_reads_one_run_whole()
    {
        var (listed, list, _) = await stand.GetAsync("/api/procedures/runs?limit=5", "viewer", IvScanInfluxStand.ViewerPassword);
        var (read, one, _) = await stand.GetAsync($"/api/procedures/runs/{stand.Run}", "viewer", IvScanInfluxStand.ViewerPassword);
        var (refused, error, _) = await stand.GetAsync("/api/procedures/runs?limit=0", "viewer", IvScanInfluxStand.ViewerPassword);

        Assert.Equal((200, 200, 400), (listed, read, refused));
        Assert.Contains("'limit' must be 1–10000", error);
        var run = stand.Stored();
        var summary = Assert.Single(JsonNode.Parse(list)!.AsArray(), r => r!["run"]!.GetValue<long>() == stand.Run)!;
        Assert.Equal(("iv-scan", run.Operator, "finished", "exported", run.StepCount, run.StepCount, run.StartMs, run.EndMs),
            (summary["procedure"]!.GetValue<string>(), summary["operator"]!.GetValue<string>(), summary["state"]!.GetValue<string>(),
             summary["comment"]!.GetValue<string>(), summary["step_count"]!.GetValue<int>(), summary["steps_done"]!.GetValue<int>(),
             summary["start_ms"]!.GetValue<long>(), summary["end_ms"]!.GetValue<long?>()));
        Assert.Null(summary["steps"]);
        Assert.Equal(JsonSerializer.Serialize(run, Web.Common.Json.Options), JsonNode.Parse(one)!.ToJsonString(Web.Common.Json.Options));
    }

    [Fact]
    public async Task A_viewer_reads_the_runs_and_one_runs_record_over_mqtt()
    {
        var viewer = Mosquitto.Auth("viewer", IvScanInfluxStand.ViewerPassword);
        var port = stand.Stand.Stand.MqttPort;
        await using var replies = await MosquittoSubscriber.StartAsync(port, viewer, ["procedures/reply"]);
        Task<JsonElement> Ask(string topic, string payload) => replies.CommandAsync(port, viewer, topic, payload, TimeSpan.FromSeconds(15));

        var runs = await Ask("procedures/cmd/runs", "");
        var summary = runs.GetProperty("data").GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("run").GetInt64() == stand.Run);
        Assert.Equal(("iv-scan", "finished", "exported"), (summary.GetProperty("procedure").GetString(), summary.GetProperty("state").GetString(),
            summary.GetProperty("comment").GetString()));
        Assert.False(summary.TryGetProperty("steps", out _));
        var one = await Ask("procedures/cmd/run", $$"""{"run":{{stand.Run}}}""");
        Assert.Equal(JsonSerializer.Serialize(stand.Stored(), Web.Common.Json.Options), JsonNode.Parse(one.GetProperty("data").GetRawText())!.ToJsonString(Web.Common.Json.Options));

        Assert.Equal("no procedure run 999999", (await Ask("procedures/cmd/run", """{"run":999999}""")).GetProperty("error").GetString());
        Assert.Equal("unknown field 'limits' (allowed: limit)", (await Ask("procedures/cmd/runs", """{"limits":5}""")).GetProperty("error").GetString());
        Assert.Equal("""payload must be {"run": N}""", (await Ask("procedures/cmd/run", "")).GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_unauthenticated_request_is_refused_and_a_missing_run_is_named()
    {
        var (anonymous, _, _) = await stand.GetAsync($"/api/procedures/runs/{stand.Run}/export.json", null, null);
        var (wrong, _, _) = await stand.GetAsync($"/api/procedures/runs/{stand.Run}/export.csv", "viewer", "not-the-password");
        var (missing, body, _) = await stand.GetAsync("/api/procedures/runs/999999/export.csv", "viewer", IvScanInfluxStand.ViewerPassword);
        var (unlisted, _, _) = await stand.GetAsync("/api/procedures/runs", null, null);
        var (absent, none, _) = await stand.GetAsync("/api/procedures/runs/999999", "viewer", IvScanInfluxStand.ViewerPassword);

        Assert.Equal((401, 401, 404, 401, 404), (anonymous, wrong, missing, unlisted, absent));
        Assert.Contains("no procedure run 999999", body);
        Assert.Contains("no procedure run 999999", none);
    }

    private static double D(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>
    /// The export's tables: separated by a blank line, each headed by a row whose first cell names it; the rows
    /// without that first cell. Fields as RFC 4180 quotes them.
    /// </summary>
    private static Dictionary<string, List<string[]>> Tables(string csv)
    {
        var tables = new Dictionary<string, List<string[]>>();
        foreach (var block in csv.ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var rows = Rows(block).ToList();
            tables[rows[0][0]] = [.. rows.Skip(1).Select(r => r[1..])];
        }
        return tables;
    }

    private static IEnumerable<string[]> Rows(string block)
    {
        var (row, field, quoted) = (new List<string>(), new System.Text.StringBuilder(), false);
        for (var k = 0; k < block.Length; k++)
        {
            var c = block[k];
            if (quoted && c == '"' && k + 1 < block.Length && block[k + 1] == '"') { field.Append('"'); k++; }
            else if (c == '"') quoted = !quoted;
            else if (!quoted && c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (!quoted && c == '\n') { row.Add(field.ToString()); field.Clear(); yield return [.. row]; row.Clear(); }
            else field.Append(c);
        }
        // A last line without its line break (the export ends each line with one, leaving nothing here).
        if (row.Count > 0 || field.Length > 0)
        {
            row.Add(field.ToString());
            yield return [.. row];
        }
    }
}
