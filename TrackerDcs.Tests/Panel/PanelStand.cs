using Microsoft.Playwright;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// One real TrackerDcs process on the simulators, with an operator and a viewer besides the admin, and Debian's
/// Chromium driven by Playwright (never a downloaded browser). Shared by the panel's end-to-end tests.
/// </summary>
public sealed class PanelStand : IAsyncLifetime
{
    public const string OperatorPassword = "operator-password-1";
    public const string ViewerPassword = "viewer-password-1";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    public StandProcess Stand { get; } = new(new Dictionary<string, string>
    {
        // The chiller is polled every second and its simulated bath answers in seconds, not minutes.
        ["Julabo:PollPeriod"] = "00:00:01",
        ["Julabo:SimulatedTimeConstant"] = "00:00:20",
        // The tests' sensor boxes speak once (a reading or three over MQTT): falling "silent" two minutes later, they would
        // add a warning to the alarm counts of whichever test runs then.
        ["Alarms:SensorSilentAfter"] = "01:00:00",
    });

    /// <summary>Where the demo week ends: readings before it are the demo's, after it the stand's own.</summary>
    public DateTimeOffset DemoEnd { get; private set; }

    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public string BaseUrl => $"https://localhost:{Stand.HttpsPort}";

    public async Task InitializeAsync()
    {
        // A week of history (LV/HV cycles, a thermal cycle, a trip, runs) before the start, so the charts and the
        // screenshots show real curves; it ends now, and the stand's own readings follow it.
        DemoEnd = DateTimeOffset.UtcNow;
        // About 13 s of one core for five million readings; on a machine whose cores the rest of the suite shares it
        // has taken over 40 s, so it gets minutes, not the half minute of a quick command.
        var demo = await Stand.CliAsync("", TimeSpan.FromMinutes(5), "demo-history", "--end", DemoEnd.ToString("O"));
        if (demo.ExitCode != 0) throw new InvalidOperationException($"demo-history: {demo}");
        await Stand.StartAsync();
        // Pages opened before the drivers reach their devices would show the not-ready banner.
        await Stand.WaitReadyAsync();
        await Stand.AddUserAsync("operator", "operator", OperatorPassword);
        await Stand.AddUserAsync("viewer", "viewer", ViewerPassword);
        // The whole suite shares two cores: assertions poll for up to 15 s (they return as soon as they hold).
        Assertions.SetDefaultExpectTimeout(15_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>
    /// A fresh browser context (its own cookies) that accepts the stand's self-signed certificate; in the machine's time
    /// zone unless <paramref name="timeZone"/> names another (an IANA name).
    /// </summary>
    public Task<IBrowserContext> ContextAsync(int width = 1280, int height = 900, ColorScheme scheme = ColorScheme.Light, string? storageState = null,
        string? timeZone = null) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = scheme,
            StorageState = storageState,
            TimezoneId = timeZone,
        });

    /// <summary>Logs in through the login form and waits for the page of <paramref name="path"/>.</summary>
    public Task<IPage> LoginAsync(IBrowserContext context, string name, string password, string path = "/") =>
        LoginAsync(context, BaseUrl, name, password, path);

    /// <summary>Logs in to the stand at <paramref name="baseUrl"/> (a test's own stand, driven by this browser).</summary>
    public static async Task<IPage> LoginAsync(IBrowserContext context, string baseUrl, string name, string password, string path)
    {
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync($"{baseUrl}{path}");
        await page.GetByLabel("User name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        // The password hash (PBKDF2, 210 000 rounds) and the first render of the page share two loaded cores with the suite.
        await page.WaitForURLAsync(url => !url.Contains("/login"), new() { Timeout = 45_000 });
        return page;
    }

    /// <summary>Opens a page of a context that is already logged in.</summary>
    public async Task<IPage> OpenAsync(IBrowserContext context, string path)
    {
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync($"{BaseUrl}{path}");
        return page;
    }

    /// <summary>
    /// The chiller fault latches: cleared at the simulator and acknowledged until it has left the active list, so the
    /// next test's fault is a new alarm (a fault still listed would not be raised, nor sounded, again).
    /// </summary>
    public async Task ClearChillerAlarmAsync()
    {
        string[] admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
        await Stand.PostAsAdminAsync("/api/simulator/julabo/clear");
        for (var deadline = DateTime.UtcNow.AddSeconds(30); (await Stand.GetAsAdminAsync("/api/alarms")).Contains("julabo.fault:julabo"); await Task.Delay(500))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("julabo.fault:julabo still listed 30 s after it was cleared and acknowledged");
            await Mosquitto.PubAsync(Stand.MqttPort, [.. admin, "-q", "1", "-t", "alarms/cmd/ack", "-m", """{"key":"julabo.fault:julabo"}"""]);
        }
    }

    /// <summary>
    /// A finished lv-test run (fake-ph2acf, seconds long), started over MQTT as admin with LV switched on for it (its
    /// precondition) and off again after it: its document holds the conditions at its start and end, and its result files.
    /// </summary>
    public async Task<long> FinishedRunAsync(string comment)
    {
        string[] admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
        await using var status = await MosquittoSubscriber.StartAsync(Stand.MqttPort, admin, ["ph2acf/status", "ph2acf/reply"]);
        await Mosquitto.PubAsync(Stand.MqttPort, [.. admin, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "on"]);
        try
        {
            var started = false;
            for (var deadline = DateTime.UtcNow.AddSeconds(30); !started && DateTime.UtcNow < deadline; await Task.Delay(500))
            {
                var reply = await status.CommandAsync(Stand.MqttPort, admin, "ph2acf/cmd/start",
                    $$"""{"calibration":"lv-test","modules":["module_0"],"comment":"{{comment}}"}""", TimeSpan.FromSeconds(20));
                started = reply.GetProperty("ok").GetBoolean();
            }
            if (!started) throw new InvalidOperationException("the lv-test run did not start");
            var finished = await status.WaitOnAsync("ph2acf/status", p => p.Contains("\"state\":\"finished\""), TimeSpan.FromSeconds(60), "a finished run");
            return System.Text.Json.JsonDocument.Parse(finished).RootElement.GetProperty("run").GetInt64();
        }
        finally
        {
            await Mosquitto.PubAsync(Stand.MqttPort, [.. admin, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "off"]);
        }
    }

    public async Task DisposeAsync()
    {
        // The process log of the last panel run, for reading after a failure (the stand deletes its directory).
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "panel-stand.log"), Stand.Log);
        if (Browser is not null) await Browser.CloseAsync();
        Playwright?.Dispose();
        await Stand.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PanelCollection : ICollectionFixture<PanelStand>
{
    public const string Name = "Panel stand";
}
