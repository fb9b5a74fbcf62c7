// Trend chart bench (issue 18): 30 days × 8 signals at 1 Hz (about 20 million readings) in the embedded store and in
// Debian's influxd, the same data in both, measured in one run:
//   - the decimated read of a 30-day view at 1920 px (8 signals) in-process, against influxd's own GROUP BY time
//     query (first, min, max, last per column: what our reader asks it) for the same range;
//   - zoom re-queries (random ranges from a minute to 30 days) through the panel's HTTP endpoint, p50/p99, and
//     influxd's own query for the same ranges;
//   - the time to first paint of the Trends page's 30-day view at 1920 px in Debian's Chromium.
//   dotnet build -c Release && dotnet run -c Release --project bench/TrackerDcs.TrendsBench -- [--days 30] [--signals 8] [--zooms 200]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using TrackerDcs.Testing;
using TrackerDcs.TrendsBench;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;
using TrackerDcs.Web.Trends;
using TrackerDcs.Web.History;

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var days = int.Parse(Option("--days") ?? "30", CultureInfo.InvariantCulture);
var signalCount = int.Parse(Option("--signals") ?? "8", CultureInfo.InvariantCulture);
var zooms = int.Parse(Option("--zooms") ?? "200", CultureInfo.InvariantCulture);
const int Width = 1920;
const string Password = "bench-admin-password";
var root = Directory.GetCurrentDirectory();
while (!File.Exists(Path.Combine(root, "TrackerDcs.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("run the bench inside the repository");
var binary = Path.Combine(root, "TrackerDcs.Web", "bin", "Release", "net10.0", "TrackerDcs.dll");
var work = Directory.CreateTempSubdirectory("trackerdcs-trends-bench-").FullName;
var children = new List<Child>();
Console.CancelKeyPress += (_, _) => children.ForEach(c => c.Dispose());
try
{
    var data = new Dataset(days, signalCount);
    var ids = data.Signals.Select(s => { SignalId.TryParse(s, out var id, out _); return id!; }).ToList();
    Console.WriteLine($"{data.Count:N0} readings: {signalCount} signals at 1 Hz from {data.Start:u} to {data.End:u}; load {File.ReadAllText("/proc/loadavg").Trim()}; {Environment.ProcessorCount} CPUs");

    // Embedded: written as the writer writes (an hour a batch here) and maintained as the stand does, on a clock that follows the data.
    var embeddedDir = Path.Combine(work, "embedded", "data");
    Directory.CreateDirectory(embeddedDir);
    var dbPath = Path.Combine(embeddedDir, "trackerdcs.db");
    var clock = new TrackerDcs.Web.Trends.DemoHistory.Clock { Now = data.Start };
    var options = new TimeSeriesOptions();
    var store = new EmbeddedStore(new Database(dbPath), options, clock);
    var watch = Stopwatch.StartNew();
    foreach (var (hour, readings) in data.Hours())
    {
        clock.Now = DateTimeOffset.FromUnixTimeMilliseconds(hour + 3_600_000);
        store.Store(Dataset.Points(readings));
        store.Maintain();
    }
    clock.Now = data.End;
    store.Maintain();
    var embeddedFill = watch.Elapsed;
    using (var connection = new SqliteConnection($"Data Source={dbPath}"))
    {
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); SELECT (SELECT count(*) FROM ts_raw), (SELECT count(*) FROM ts_rollup), (SELECT sum(length(data)) FROM ts_rollup), (SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()), (SELECT freelist_count * page_size FROM pragma_freelist_count(), pragma_page_size())";
        using var reader = command.ExecuteReader();
        reader.NextResult();
        reader.Read();
        Console.WriteLine($"embedded: filled in {embeddedFill.TotalSeconds:F0} s; {reader.GetInt64(0):N0} raw rows (the last 48 h), {reader.GetInt64(1):N0} rollup chunks of {reader.GetInt64(2) / 1e6:F1} MB; " +
            $"database {reader.GetInt64(3) / 1e6:F0} MB of which {reader.GetInt64(4) / 1e6:F0} MB free pages (reused by new readings)");
        Console.WriteLine($"embedded: rollups cost {reader.GetInt64(2) / (double)(days * 24 * 60 * signalCount):F1} bytes per signal-minute, " +
            $"{reader.GetInt64(2) / (double)(days * 24 * 60 * signalCount) * 525_600 / 1e6:F1} MB per signal-year");
    }
    SqliteConnection.ClearAllPools();

    // influxd on loopback, the same readings as line protocol.
    var influxPort = FreePort.Tcp();
    var influxDir = Path.Combine(work, "influxd");
    Directory.CreateDirectory(influxDir);
    File.WriteAllText(Path.Combine(influxDir, "influxdb.conf"), $"""
        reporting-disabled = true
        bind-address = "127.0.0.1:{FreePort.Tcp()}"
        [meta]
          dir = "{influxDir}/meta"
        [data]
          dir = "{influxDir}/data"
          wal-dir = "{influxDir}/wal"
          query-log-enabled = false
        [http]
          bind-address = "127.0.0.1:{influxPort}"
          log-enabled = false
        [monitor]
          store-enabled = false
        """);
    var influxd = new Child("influxd", new ProcessStartInfo("influxd", ["run", "-config", Path.Combine(influxDir, "influxdb.conf")]));
    children.Add(influxd);
    influxd.Start();
    var influxUrl = $"http://127.0.0.1:{influxPort}";
    await influxd.WaitAsync($"{influxUrl}/ping");
    using var http = new HttpClient { BaseAddress = new Uri(influxUrl), Timeout = TimeSpan.FromMinutes(2) };
    (await http.PostAsync("query", new FormUrlEncodedContent([new("q", "CREATE DATABASE bench")]))).EnsureSuccessStatusCode();
    watch.Restart();
    foreach (var (_, readings) in data.Hours())
        (await http.PostAsync("write?db=bench&precision=ms", new StringContent(Dataset.Lines(readings)))).EnsureSuccessStatusCode();
    Console.WriteLine($"influxd: filled in {watch.Elapsed.TotalSeconds:F0} s");
    var influxOptions = new InfluxOptions { Api = InfluxApi.V1, Url = influxUrl, Database = "bench", Timeout = TimeSpan.FromMinutes(1) };
    using var influxReader = new InfluxHistoryReader(influxOptions, null);
    var embeddedReader = new EmbeddedStore(new Database(dbPath), options, TimeProvider.System);

    async Task<double> Time(Func<Task> action)
    {
        var w = Stopwatch.StartNew();
        await action();
        return w.Elapsed.TotalMilliseconds;
    }
    // As TrendService reads a chart: its signals in parallel.
    Func<DateTimeOffset, DateTimeOffset, Task> Chart(ITrendStore s) => (from, to) =>
        Task.WhenAll(ids.Select(id => Task.Run(() => s.ReadAsync(id, from, to, Width, CancellationToken.None))));
    Task Own(DateTimeOffset from, DateTimeOffset to)
    {
        // influxd's own decimation of the same columns, one request with a statement per signal.
        var bucket = TrackerDcs.Web.History.M4Decimator.BucketWidth(from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), Width);
        var q = string.Join(';', ids.Select(id => InfluxHistoryReader.M4InfluxQl(id, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), bucket)));
        return http.GetStringAsync($"query?db=bench&epoch=ms&q={Uri.EscapeDataString(q)}");
    }
    static string Stats(List<double> ms)
    {
        ms.Sort();
        double P(double p) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(p * ms.Count) - 1)];
        return $"p50 {P(0.5):F0} ms, p99 {P(0.99):F0} ms, max {ms[^1]:F0} ms (n={ms.Count})";
    }

    // The 30-day view: each way alternately, so background load affects all alike.
    var (fullEmbedded, fullInflux, fullOwn) = (new List<double>(), new List<double>(), new List<double>());
    for (var i = 0; i < 11; i++)
    {
        fullEmbedded.Add(await Time(() => Chart(embeddedReader)(data.Start, data.End)));
        fullInflux.Add(await Time(() => Chart(influxReader)(data.Start, data.End)));
        fullOwn.Add(await Time(() => Own(data.Start, data.End)));
    }
    Console.WriteLine($"30-day view, {signalCount} signals, {Width} px, read in-process: embedded {Stats(fullEmbedded)}; InfluxDB reader {Stats(fullInflux)}; influxd's own GROUP BY time {Stats(fullOwn)}");

    var random = new Random(18);
    var ranges = Enumerable.Range(0, zooms).Select(_ =>
    {
        var span = TimeSpan.FromMinutes(Math.Exp(random.NextDouble() * Math.Log(days * 1440.0)));
        var from = data.Start + (data.End - data.Start - span) * random.NextDouble();
        return (From: from, To: from + span);
    }).ToList();
    var (zoomEmbedded, zoomInflux, zoomOwn) = (new List<double>(), new List<double>(), new List<double>());
    foreach (var (from, to) in ranges)
    {
        zoomEmbedded.Add(await Time(() => Chart(embeddedReader)(from, to)));
        zoomInflux.Add(await Time(() => Chart(influxReader)(from, to)));
        zoomOwn.Add(await Time(() => Own(from, to)));
    }
    Console.WriteLine($"zoom re-queries (1 min … {days} d), in-process: embedded {Stats(zoomEmbedded)}; InfluxDB reader {Stats(zoomInflux)}; influxd's own {Stats(zoomOwn)}");

    // The panel: TrackerDcs on each store, Chromium on the Trends page.
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium", Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    foreach (var (name, directory, extra) in new[]
    {
        ("embedded", embeddedDir, Array.Empty<string>()),
        ("InfluxDB", Path.Combine(work, "influx-stand", "data"), new[] { "--TimeSeries:Influx:Api=V1", $"--TimeSeries:Influx:Url={influxUrl}", "--TimeSeries:Influx:Database=bench" }),
    })
    {
        Directory.CreateDirectory(directory);
        var https = FreePort.Tcp();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(directory)! };
        foreach (var a in new[] { binary, $"--Data:Directory={directory}", "--Endpoints:HttpAddress=127.0.0.1", "--Endpoints:HttpsAddress=127.0.0.1", "--Endpoints:MqttTlsAddress=127.0.0.1",
                     $"--Endpoints:HttpPort={FreePort.Tcp()}", $"--Endpoints:HttpsPort={https}", $"--Endpoints:MqttPort={FreePort.Tcp()}", $"--Endpoints:MqttTlsPort={FreePort.Tcp()}",
                     $"--Caen:SimulatorPort={FreePort.ChannelAccess()}", "--Logging:LogLevel:Default=Warning" }.Concat(extra))
            info.ArgumentList.Add(a);
        info.Environment["TRACKERDCS_ADMIN_PASSWORD"] = Password;
        using var stand = new Child($"TrackerDcs ({name})", info);
        children.Add(stand);
        stand.Start();
        var baseUrl = $"https://localhost:{https}";
        await stand.WaitAsync($"{baseUrl}/healthz");
        await using var context = await browser.NewContextAsync(new() { IgnoreHTTPSErrors = true, ViewportSize = new() { Width = 1920, Height = 1080 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync($"{baseUrl}/login");
        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync(u => !u.Contains("/login"));
        var view = $"{baseUrl}/trends?{string.Join('&', data.Signals.Select(s => $"signal={Uri.EscapeDataString(s)}"))}&range=30d";
        var paints = new List<double>();
        var fetches = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            await page.GotoAsync(view);
            await page.Locator("[data-testid='trend-chart'][data-state='ready']").WaitForAsync();
            // From the navigation's start to the frame after the chart has its data: what the physicist waits for.
            var paint = await page.EvaluateAsync<double>("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))");
            var fetch = await page.EvaluateAsync<double>("Math.max(...performance.getEntriesByType('resource').filter(e => e.name.includes('/panel-api/trends?')).map(e => e.responseEnd - e.startTime))");
            var points = await page.Locator("[data-testid='trend-chart']").GetAttributeAsync("data-points");
            if (i > 0) (paints, fetches) = ([.. paints, paint], [.. fetches, fetch]); // the first load warms the JIT and the caches
            if (i == 1) Console.WriteLine($"{name}: the 30-day view shows {points} points");
        }
        Console.WriteLine($"{name}: first paint of the 30-day view at 1920 px, in Chromium: {Stats(paints)}; its data request {Stats(fetches)}");
        var requests = new List<double>();
        foreach (var (from, to) in ranges)
        {
            var url = $"{baseUrl}/panel-api/trends?{string.Join('&', data.Signals.Select(s => $"signal={Uri.EscapeDataString(s)}"))}&from={from.ToUnixTimeMilliseconds()}&to={to.ToUnixTimeMilliseconds()}&width={Width}";
            var w = Stopwatch.StartNew();
            var response = await page.APIRequest.GetAsync(url);
            await response.BodyAsync();
            if (!response.Ok) throw new InvalidOperationException($"{url}: {response.Status}");
            requests.Add(w.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"{name}: zoom re-queries through GET /panel-api/trends (the chart's request, JSON included): {Stats(requests)}");
    }
}
finally
{
    children.ForEach(c => c.Dispose());
    SqliteConnection.ClearAllPools();
    try { Directory.Delete(work, recursive: true); } catch (IOException) { }
}
