using TrackerDcs.Tests.Runs;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Procedures;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Procedures;

/// <summary>
/// The real process writing to Debian's influxd, with a viewer besides the admin, after one run of the shipped iv-scan
/// on module_0's simulated sensor (compliance at 20 µA is never reached: the scan runs to its last point). influxd is
/// stopped for the whole scan, so its points reach InfluxDB only through the spool. Shared by the tests of the run's
/// measurements and exports: one scan, read several ways.
/// </summary>
public sealed class IvScanInfluxStand : IAsyncLifetime
{
    public const string Database = "trackerdcs";
    public const string ViewerPassword = "viewer-password-1";

    public InfluxServer Influx { get; } = new();
    public RunStand Stand { get; private set; } = null!;
    public long Run { get; private set; }

    public async Task InitializeAsync()
    {
        await Influx.StartAsync();
        Stand = await RunStand.StartAsync(new Dictionary<string, string>
        {
            ["TimeSeries:Influx:Api"] = "V1",
            ["TimeSeries:Influx:Url"] = Influx.Url,
            ["TimeSeries:Influx:Database"] = Database,
            ["TimeSeries:FlushInterval"] = "00:00:00.2",
            ["Procedures:Directory"] = Repository.File("procedures"),
            // A sensor box, for the sensor temperature at each point (the shipped scan reads sensor.max.DS_temp).
            ["Sensors:Simulated"] = "true",
        });
        await Stand.Stand.AddUserAsync("viewer", "viewer", ViewerPassword);
        // Depleted at 100 V with 1 µA, no breakdown below 1000 V: a curve that rises as √V, then flattens.
        await Stand.Stand.PostAsAdminAsync("/api/simulator/caen/sensor/12/0?current=1&depletion=100&breakdown=1000&charge=0");
        await Stand.WaitForAsync("julabo/status", s => s.GetProperty("fsm_state").GetString() is "OFF" or "ON", "the chiller connected");
        Assert.True((await Stand.CommandAsync("julabo/cmd/start", "")).GetProperty("ok").GetBoolean());
        await Stand.WaitForAsync("julabo/status", s => s.GetProperty("fsm_state").GetString() == "ON", "the chiller on");
        await Stand.HvOnAsync();

        await Influx.StopAsync();
        var mark = Stand.Mark;
        var reply = await Stand.CommandAsync("procedures/cmd/start",
            """{"name":"iv-scan","modules":["module_0"],"comment":"exported","params":{"stop":80,"step":20,"settle":0.5,"samples":3}}""");
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        Run = reply.GetProperty("data").GetProperty("run").GetInt64();
        var outcome = await Stand.WaitForAsync("procedures/status", s => s.TryGetProperty("run", out var r) && r.GetInt64() == Run
            && s.GetProperty("state").GetString() is "finished" or "failed", $"run {Run} ended", mark, seconds: 90);
        Assert.Equal("finished", outcome.GetProperty("state").GetString());
        await Influx.StartAsync();
    }

    /// <summary>The run as the stand stored it, read beside the running process.</summary>
    public ProcedureRunDocument Stored() =>
        new SqliteProcedureRunStore(new Database(Path.Combine(Stand.Stand.DataDirectory, "trackerdcs.db"))).Get(Run)!;

    /// <summary>A GET of the HTTP API with Basic credentials (none when <paramref name="user"/> is null).</summary>
    public async Task<(int Status, string Body, string? ContentType)> GetAsync(string path, string? user, string? password)
    {
        using var client = Stand.Stand.HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"https://localhost:{Stand.Stand.HttpsPort}{path}");
        if (user is not null)
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
        var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    public async Task DisposeAsync()
    {
        await Stand.DisposeAsync();
        await Influx.DisposeAsync();
    }
}
