using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MQTTnet;
using MQTTnet.Protocol;
using TrackerDcs.Tests.Runs;
using TrackerDcs.Tests.Support;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace TrackerDcs.Tests.Deploy;

/// <summary>
/// The provisioned Grafana dashboards (deploy/grafana) against what the stand really writes: every panel
/// target, template variable and annotation query is run, as Grafana would send it, against Debian's influxd
/// fed by the real process on its simulators. No Grafana here: its InfluxQL macros are expanded the way its
/// InfluxDB data source does (<see cref="Interpolate"/>).
/// </summary>
public sealed partial class GrafanaDashboardTests(ITestOutputHelper output)
{
    private const string Database = "trackerdcs";
    private const string DataSourceUid = "trackerdcs-influxdb";
    private const string Stand = "cold-box-2";
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    private static string Dashboards => Repository.File("deploy", "grafana", "dashboards");

    private static IEnumerable<(string File, JsonObject Dashboard)> AllDashboards() =>
        Directory.GetFiles(Dashboards, "*.json").Order().Select(f => (Path.GetFileName(f), JsonNode.Parse(File.ReadAllText(f))!.AsObject()));

    /// <summary>Panels, and the panels of collapsed rows.</summary>
    private static IEnumerable<JsonObject> Panels(JsonObject dashboard)
    {
        foreach (var panel in dashboard["panels"]?.AsArray() ?? [])
        {
            yield return panel!.AsObject();
            foreach (var inner in panel["panels"]?.AsArray() ?? []) yield return inner!.AsObject();
        }
    }

    private sealed record Query(string Where, string Text, JsonObject Source);

    private static IEnumerable<Query> Targets(string file, JsonObject dashboard) =>
        from panel in Panels(dashboard)
        from target in panel["targets"]?.AsArray() ?? []
        where target!["hide"]?.GetValue<bool>() != true
        select new Query($"{file}: panel '{panel["title"]}' {target!["refId"]}", RawQuery(target!.AsObject(), file), target.AsObject());

    private static IEnumerable<Query> Annotations(string file, JsonObject dashboard) =>
        from annotation in dashboard["annotations"]?["list"]?.AsArray() ?? []
        where annotation!["builtIn"] is null
        select new Query($"{file}: annotation '{annotation!["name"]}'", annotation!["query"]?.GetValue<string>()
            ?? throw new InvalidOperationException($"{file}: annotation '{annotation["name"]}' has no InfluxQL query"), annotation.AsObject());

    /// <summary>Only raw InfluxQL is checked here; a query-builder target would have to be rendered first.</summary>
    private static string RawQuery(JsonObject target, string file) =>
        target["rawQuery"]?.GetValue<bool>() == true && target["query"]?.GetValue<string>() is { } query
            ? query
            : throw new InvalidOperationException($"{file}: target {target["refId"]} is not a raw InfluxQL query");

    /// <summary>
    /// Grafana's InfluxDB data source on a "last 5 minutes" range: $timeFilter becomes
    /// <c>time &gt;= now() - 5m and time &lt;= now()</c>, $__interval and $interval the interval, and a
    /// multi-value variable ("All" selected) the regex alternation of its values, each regex-escaped.
    /// </summary>
    private static string Interpolate(string query, IReadOnlyDictionary<string, List<string>> variables)
    {
        var text = query.Replace("$timeFilter", "time >= now() - 5m and time <= now()")
            .Replace("$__interval_ms", "10000").Replace("$__interval", "10s").Replace("$interval", "10s");
        foreach (var (name, values) in variables.OrderByDescending(v => v.Key.Length))
        {
            var regex = values.Count == 1 ? Regex.Escape(values[0]) : $"({string.Join('|', values.Select(Regex.Escape))})";
            text = text.Replace("${" + name + "}", regex).Replace("[[" + name + "]]", regex).Replace("$" + name, regex);
        }
        Assert.DoesNotMatch(Variable(), text);
        return text;
    }

    [GeneratedRegex(@"\$\w|\[\[\w")]
    private static partial Regex Variable();

    [Fact]
    public void Dashboards_use_the_provisioned_data_source_and_raw_influxql_everywhere()
    {
        var files = AllDashboards().ToList();
        Assert.NotEmpty(files);
        var uids = new HashSet<string>();
        foreach (var (file, dashboard) in files)
        {
            Assert.True(uids.Add(dashboard["uid"]!.GetValue<string>()), $"{file}: uid used twice");
            Assert.NotEmpty(Targets(file, dashboard));
            var sources = Panels(dashboard).Select(p => p["datasource"])
                .Concat(Targets(file, dashboard).Select(t => t.Source["datasource"]))
                .Concat(Annotations(file, dashboard).Select(a => a.Source["datasource"]))
                .Concat(dashboard["templating"]?["list"]?.AsArray().Select(v => v!["datasource"]) ?? [])
                .Where(d => d is not null && d["type"]?.GetValue<string>() != "grafana");
            Assert.All(sources, d => Assert.Equal(DataSourceUid, d!["uid"]!.GetValue<string>()));
            // Stands sharing one InfluxDB: the first variable picks the stand, and every query keeps to it.
            var variables = dashboard["templating"]!["list"]!.AsArray();
            Assert.Equal("stand", variables[0]!["name"]!.GetValue<string>());
            Assert.Equal(".*", variables[0]!["allValue"]!.GetValue<string>()); // "All" also shows lines without the tag
            Assert.All(Targets(file, dashboard).Concat(Annotations(file, dashboard)).Select(q => q.Text)
                    .Concat(variables.Skip(1).Select(v => v!["query"]!.GetValue<string>())),
                query => Assert.Contains("\"stand\" =~ /^$stand$/", query));
        }
    }

    [Fact]
    public void Provisioning_parses_and_points_grafana_at_the_dashboards_folder_and_the_influxdb_service()
    {
        var provider = Yaml(Repository.File("deploy", "grafana", "provisioning", "dashboards", "trackerdcs.yml"));
        Assert.Equal("1", Scalar(provider, "apiVersion"));
        var providers = (YamlSequenceNode)provider.Children["providers"];
        var fileProvider = Assert.Single(providers.Children.Cast<YamlMappingNode>());
        Assert.Equal("file", Scalar(fileProvider, "type"));
        var dashboardPath = Scalar((YamlMappingNode)fileProvider.Children["options"], "path");

        var datasources = Yaml(Repository.File("deploy", "grafana", "provisioning", "datasources", "influxdb.yml"));
        Assert.Equal("1", Scalar(datasources, "apiVersion"));
        var influx = Assert.Single(((YamlSequenceNode)datasources.Children["datasources"]).Children.Cast<YamlMappingNode>());
        Assert.Equal("influxdb", Scalar(influx, "type"));
        Assert.Equal(DataSourceUid, Scalar(influx, "uid"));
        Assert.Equal("http://influxdb:8086", Scalar(influx, "url"));

        // The compose file mounts both folders where Grafana and the provider look, and gives Grafana the
        // variables the data source file expands.
        var compose = Yaml(Repository.File("deploy", "docker-compose.yml"));
        var services = (YamlMappingNode)compose.Children["services"];
        Assert.True(services.Children.ContainsKey("influxdb"), "no influxdb service for the data source's URL");
        var grafana = (YamlMappingNode)services.Children["grafana"];
        var mounts = ((YamlSequenceNode)grafana.Children["volumes"]).Children.Select(v => ((YamlScalarNode)v).Value!.Split(':')).ToList();
        string Source(string target) => Assert.Single(mounts, m => m.Length > 1 && m[1] == target)[0];
        Assert.Equal(Path.GetFullPath(Dashboards), Path.GetFullPath(Path.Combine(Repository.File("deploy"), Source(dashboardPath))));
        Assert.Equal(Path.GetFullPath(Repository.File("deploy", "grafana", "provisioning")),
            Path.GetFullPath(Path.Combine(Repository.File("deploy"), Source("/etc/grafana/provisioning"))));
        Assert.NotEmpty(Directory.GetFiles(Dashboards, "*.json"));
        var environment = (YamlMappingNode)grafana.Children["environment"];
        var used = Regex.Matches(File.ReadAllText(Repository.File("deploy", "grafana", "provisioning", "datasources", "influxdb.yml")), @"\$\{?(\w+)")
            .Select(m => m.Groups[1].Value).Distinct();
        Assert.All(used, name => Assert.True(environment.Children.ContainsKey(name), $"Grafana's environment lacks {name}"));
    }

    private static YamlMappingNode Yaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[key]).Value!;

    [Fact]
    public async Task Every_panel_variable_and_annotation_query_returns_values_from_a_running_stand()
    {
        await using var influx = new InfluxServer();
        await influx.StartAsync();
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["TimeSeries:Influx:Api"] = "V1",
            ["TimeSeries:Influx:Url"] = influx.Url,
            ["TimeSeries:Influx:Database"] = Database,
            ["TimeSeries:FlushInterval"] = "00:00:00.2",
            ["Julabo:PollPeriod"] = "00:00:00.5",
            ["Julabo:CommandInterval"] = "00:00:00.05",
            ["Caen:PublishPeriodSeconds"] = "1",
            // Run events for the runs annotation, into the dashboards' database as the compose deployment has it.
            ["Runs:InfluxDb"] = influx.Url,
            ["Runs:InfluxDatabase"] = Database,
            // The stand tag on every line, which the dashboards' stand variable selects (no uplink needed for it).
            ["Site:Stand"] = Stand,
        }.Concat(RunStand.Calibration("quick", ["--seconds", "0.5"])).ToDictionary());
        await stand.StartAsync();
        await stand.AddUserAsync("esp", "device", "esp-password", "ESP");
        await using var status = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["dcs/status"]);

        // A sensor box with every sensor the environment dashboard shows (the dew point is computed), sending its
        // readings as a box does: back to back on one connection, every 2 s while the stand runs.
        await using var box = await SensorBoxAsync(stand.MqttPort);

        // Power on so HV readings move, then a trip (crate ERROR, alarms) and a chiller fault (chiller ERROR):
        // the annotations have something to show.
        async Task SwitchAsync(string topic, string state)
        {
            var published = await Mosquitto.PubAsync(stand.MqttPort, [.. Admin, "-q", "1", "-t", topic, "-m", "on"]);
            Assert.True(published.ExitCode == 0, published.ToString());
            await status.WaitOnAsync("dcs/status", p => p.Contains($"\"{state}\""), TimeSpan.FromSeconds(30), state);
        }
        await SwitchAsync("dcs/cmd/switch/lv", "LV_ON");
        await SwitchAsync("dcs/cmd/switch/hv", "HV_ON");
        // A short IV scan of module_0 before the trip: its events are the procedures annotation, its points the IV panel.
        await using (var procedures = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["procedures/reply", "procedures/status"]))
        {
            var started = await procedures.CommandAsync(stand.MqttPort, Admin, "procedures/cmd/start",
                """{"name":"iv-scan","modules":["module_0"],"params":{"stop":20,"step":20,"settle":0,"samples":1}}""", TimeSpan.FromSeconds(20));
            Assert.True(started.GetProperty("ok").GetBoolean(), started.ToString());
            await procedures.WaitOnAsync("procedures/status", p => p.Contains("\"finished\""), TimeSpan.FromSeconds(60), "the IV scan finished");
        }
        await stand.PostAsAdminAsync("/api/simulator/caen/trip/12/0");
        await status.WaitOnAsync("dcs/status", p => p.Contains("\"ERROR\""), TimeSpan.FromSeconds(30), "ERROR after the trip");
        await stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        await stand.PostAsAdminAsync("/api/simulator/marta/alarm?bit=CP_HP_W"); // a MARTA warning for the MARTA alarms annotation
        // A calibration run: its start and end events are the runs annotation.
        await using (var runs = await MosquittoSubscriber.StartAsync(stand.MqttPort, Admin, ["ph2acf/reply", "ph2acf/status"]))
        {
            var started = await runs.CommandAsync(stand.MqttPort, Admin, "ph2acf/cmd/start", """{"calibration":"quick","modules":["module_0"]}""", TimeSpan.FromSeconds(20));
            Assert.True(started.GetProperty("ok").GetBoolean(), started.ToString());
            await runs.WaitOnAsync("ph2acf/status", p => p.Contains("\"finished\""), TimeSpan.FromSeconds(30), "the run finished");
        }

        // Until every query answers (the writer flushes every 0.2 s) or 30 s have passed; then what failed, all at once.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<string> problems;
        var checkedQueries = 0;
        while (true)
        {
            (problems, checkedQueries) = await CheckAllAsync(influx, null);
            if (problems.Count == 0 || DateTime.UtcNow > deadline) break;
            await Task.Delay(1000);
        }
        Assert.True(problems.Count == 0, $"{problems.Count} of {checkedQueries} dashboard queries failed:\n{string.Join("\n", problems)}");
        // Every measurement written, readings, run and procedure events and IV points alike, carries the stand's tag.
        var measurements = Names(await influx.QueryAsync(Database, "SHOW MEASUREMENTS"), s => s["values"]!.AsArray().Select(v => v![0]!.GetValue<string>()));
        var tagged = Names(await influx.QueryAsync(Database, """SHOW TAG VALUES WITH KEY = "stand" """),
            s => s["values"]!.AsArray().All(v => v![1]!.GetValue<string>() == Stand) ? [s["name"]!.GetValue<string>()] : []);
        Assert.Equal(measurements, tagged);
        Assert.Contains("runs", tagged);
        Assert.Contains("iv", tagged);
        await CheckAllAsync(influx, output);
        Assert.True(checkedQueries >= 30, $"{checkedQueries} queries checked");
    }

    private static List<string> Names(string answer, Func<JsonObject, IEnumerable<string>> of) =>
        [.. (JsonNode.Parse(answer)!["results"]![0]!["series"]?.AsArray() ?? []).SelectMany(s => of(s!.AsObject())).Order()];

    /// <summary>ESP01 publishing all its sensors every 2 s until disposed.</summary>
    private static async Task<IAsyncDisposable> SensorBoxAsync(int mqttPort)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mqttPort).WithCredentials("esp", "esp-password").Build());
        var readings = new[]
        {
            ("ESP01/sensors/DS/temp", "20.25"), ("ESP01/sensors/BME/temp", "21.5"), ("ESP01/sensors/BME/humi", "40"),
            ("ESP01/sensors/CCS/co2", "420"), ("ESP01/sensors/CCS/tvoc", "12"),
            ("ESP01/sensors/SCD30/co2", "415"), ("ESP01/sensors/SCD30/temp", "21.0"), ("ESP01/sensors/SCD30/humi", "41"),
        };
        foreach (var (topic, value) in readings) await client.PublishStringAsync(topic, value, MqttQualityOfServiceLevel.AtLeastOnce);
        var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            using var every = new PeriodicTimer(TimeSpan.FromSeconds(2));
            while (await every.WaitForNextTickAsync(stop.Token))
                foreach (var (topic, value) in readings) await client.PublishStringAsync(topic, value, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: stop.Token);
        });
        return new Stopping(async () =>
        {
            await stop.CancelAsync();
            try { await loop; }
            catch (OperationCanceledException) { }
            await client.DisconnectAsync();
            client.Dispose();
            stop.Dispose();
        });
    }

    private sealed class Stopping(Func<Task> stop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await stop();
    }

    /// <summary>Runs every query of every dashboard; the problems found and how many queries ran.</summary>
    private static async Task<(List<string> Problems, int Count)> CheckAllAsync(InfluxServer influx, ITestOutputHelper? output)
    {
        var problems = new List<string>();
        var count = 0;
        foreach (var (file, dashboard) in AllDashboards())
        {
            var variables = new Dictionary<string, List<string>>();
            foreach (var variable in dashboard["templating"]?["list"]?.AsArray() ?? [])
            {
                var name = variable!["name"]!.GetValue<string>();
                Assert.Equal("query", variable["type"]!.GetValue<string>());
                var query = variable["query"] is JsonValue v ? v.GetValue<string>() : variable["query"]!["query"]!.GetValue<string>();
                count++;
                var (series, error) = await RunAsync(influx, Interpolate(query, variables));
                // SHOW TAG VALUES: columns key, value.
                var values = series.SelectMany(s => s.Rows).Select(r => r[^1]).OfType<string>().ToList();
                if (error is not null || values.Count == 0) problems.Add($"{file}: variable '{name}': {error ?? "no values"} ({query})");
                else variables[name] = values;
            }
            foreach (var query in Targets(file, dashboard).Concat(Annotations(file, dashboard)))
            {
                count++;
                var missing = Regex.Matches(query.Text, @"\$(\w+)").Select(m => m.Groups[1].Value)
                    .Where(name => !name.StartsWith("__") && name is not ("timeFilter" or "interval") && !variables.ContainsKey(name)).ToList();
                if (missing.Count > 0)
                {
                    problems.Add($"{query.Where}: variables without values: {string.Join(", ", missing)}");
                    continue;
                }
                var text = Interpolate(query.Text, variables);
                var (series, error) = await RunAsync(influx, text);
                output?.WriteLine($"{query.Where}: {series.Count} series, {series.Sum(s => s.Rows.Count)} rows: {text}");
                if (error is not null) problems.Add($"{query.Where}: {error}\n    {text}");
                else if (!series.Any(s => s.Rows.Any(r => r.Skip(1).Any(value => value is not null))))
                    problems.Add($"{query.Where}: no series with a value\n    {text}");
                else
                {
                    foreach (var problem in ColumnProblems(query, series)) problems.Add($"{query.Where}: {problem}\n    {text}");
                }
            }
        }
        return (problems, count);
    }

    /// <summary>An alias's $tag_x needs a GROUP BY x; an annotation's text and tags columns must be in the answer.</summary>
    private static IEnumerable<string> ColumnProblems(Query query, List<Series> series)
    {
        if (query.Source["alias"]?.GetValue<string>() is { } alias)
            foreach (Match tag in Regex.Matches(alias, @"\$tag_(\w+)"))
                if (!series.All(s => s.Tags.ContainsKey(tag.Groups[1].Value)))
                    yield return $"alias '{alias}' uses a tag the series do not carry";
        foreach (var key in new[] { "textColumn", "tagsColumn", "timeEndColumn", "titleColumn" })
            if (query.Source[key]?.GetValue<string>() is { Length: > 0 } column)
                foreach (var name in column.Split(',', StringSplitOptions.TrimEntries))
                    if (!series.All(s => s.Columns.Contains(name)))
                        yield return $"{key} '{name}' is not a column of the answer ({string.Join(", ", series[0].Columns)})";
    }

    /// <summary>One series of an answer; values as text (strings unquoted), null for JSON null.</summary>
    private sealed record Series(Dictionary<string, string> Tags, List<string> Columns, List<string?[]> Rows);

    /// <summary>The statement over /query as Grafana sends it (GET in the provisioned data source; same answer).</summary>
    private static async Task<(List<Series> Series, string? Error)> RunAsync(InfluxServer influx, string query)
    {
        string body;
        try
        {
            body = await influx.QueryAsync(Database, query);
        }
        catch (InvalidOperationException e)
        {
            return ([], e.Message);
        }
        var result = JsonNode.Parse(body)!["results"]![0]!;
        if (result["error"]?.GetValue<string>() is { } error) return ([], error);
        var series = new List<Series>();
        foreach (var s in result["series"]?.AsArray() ?? [])
        {
            var tags = s!["tags"]?.AsObject().ToDictionary(t => t.Key, t => t.Value?.ToString() ?? "") ?? [];
            var columns = s["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
            var rows = s["values"]!.AsArray()
                .Select(r => r!.AsArray().Select(v => v is null ? null : v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()).ToArray())
                .ToList();
            series.Add(new Series(tags, columns, rows));
        }
        return (series, null);
    }
}
