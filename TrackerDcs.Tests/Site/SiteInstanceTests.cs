using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using TrackerDcs.Tests.Panel;
using TrackerDcs.Tests.Support;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Site;

/// <summary>
/// Three simulated stands with their uplinks and one site instance (Site:Mode=Site, no hardware) on the real 3-node
/// RabbitMQ cluster: every stand's status at the site, a site operator's command through a stand's own bus, and a
/// stand's refusal back at the site. The site is read and commanded through its HTTP API (/api/site/…).
/// </summary>
[Collection("Site cluster")]
public sealed class SiteInstanceTests(SiteClusterFixture site, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Stands = ["s1", "s2", "s3"];
    private const string OperatorPassword = "oscar-password-for-tests";
    private readonly List<StandProcess> _stands = [];
    private StandProcess _site = null!;

    public async Task InitializeAsync()
    {
        // The site instance on the last node, the stands starting on the first (their uplinks go through the cluster).
        var nodes = site.Cluster.MqttEndpoints.ToList();
        var siteSettings = new Dictionary<string, string>
        {
            ["Site:Mode"] = "Site",
            ["Site:User"] = SiteClusterFixture.SiteUser,
            ["Site:Password"] = SiteClusterFixture.SitePassword,
        };
        for (var i = 0; i < nodes.Count; i++) siteSettings[$"Site:Brokers:{i}"] = nodes[(i + nodes.Count - 1) % nodes.Count];
        _site = new StandProcess(siteSettings);
        try
        {
            await StartAllAsync(nodes);
        }
        catch
        {
            // xUnit does not dispose a test class whose InitializeAsync failed: what was started stops here.
            await StopAllAsync();
            throw;
        }
    }

    private async Task StartAllAsync(List<string> nodes)
    {
        await _site.StartAsync();
        await _site.AddUserAsync("oscar", "operator", OperatorPassword);
        foreach (var stand in Stands)
        {
            var settings = new Dictionary<string, string>
            {
                ["Site:Stand"] = stand,
                ["Site:User"] = SiteClusterFixture.StandUser(stand),
                ["Site:Password"] = SiteClusterFixture.StandPassword(stand),
                // A sensor box and the chiller give each stand its dew-point margin.
                ["Sensors:Simulated"] = "true",
                ["Sensors:SimulatedPeriod"] = "00:00:01",
                ["Alarms:DewPointMarginMin"] = "3",
            };
            for (var i = 0; i < nodes.Count; i++) settings[$"Site:Brokers:{i}"] = nodes[i];
            var process = new StandProcess(settings);
            _stands.Add(process);
            await process.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var line in _site.Log.Split('\n').Where(l => l.Contains("Site", StringComparison.Ordinal)).TakeLast(30)) output.WriteLine(line);
        await StopAllAsync();
    }

    private async Task StopAllAsync()
    {
        foreach (var stand in _stands) await stand.DisposeAsync();
        _stands.Clear();
        await _site.DisposeAsync();
    }

    private async Task<JsonElement> SiteStandsAsync() => JsonDocument.Parse(await _site.GetAsAdminAsync("/api/site/stands")).RootElement;

    private async Task<JsonElement> StandAtSiteAsync(string name, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = "nothing";
        while (DateTime.UtcNow < deadline)
        {
            var stand = (await SiteStandsAsync()).GetProperty("stands").EnumerateArray().FirstOrDefault(s => s.GetProperty("name").GetString() == name);
            if (stand.ValueKind == JsonValueKind.Object)
            {
                if (condition(stand)) return stand;
                last = stand.ToString();
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"stand {name} at the site: {what} not seen within 60 s; last: {last}");
    }

    private async Task<JsonElement> DetailAtSiteAsync(string name, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = "nothing";
        while (DateTime.UtcNow < deadline)
        {
            var detail = JsonDocument.Parse(await _site.GetAsAdminAsync($"/api/site/stands/{name}")).RootElement;
            if (condition(detail)) return detail;
            last = detail.ToString();
            await Task.Delay(500);
        }
        throw new TimeoutException($"stand {name}'s page at the site: {what} not seen within 60 s; last: {last}");
    }

    private async Task<JsonElement> CommandAsync(string stand, string topic, string payload)
    {
        using var client = _site.HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, $"https://localhost:{_site.HttpsPort}/api/site/stands/{stand}/commands")
        {
            Content = JsonContent.Create(new { topic, payload }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"oscar:{OperatorPassword}")));
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST command: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task Every_stands_status_reaches_the_site_and_a_site_operators_lv_on_reaches_stand_2_audited_as_site_user()
    {
        foreach (var stand in Stands)
        {
            var seen = await StandAtSiteAsync(stand, s => s.GetProperty("crate").GetString() == "LV_OFF" && s.GetProperty("chiller").ValueKind == JsonValueKind.String
                && !s.GetProperty("lost").GetBoolean(), "crate LV_OFF, a chiller state, online");
            output.WriteLine(seen.ToString());
        }

        var reply = await CommandAsync("s2", "dcs/cmd/switch/lv", "on");
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        await StandAtSiteAsync("s2", s => s.GetProperty("crate").GetString() == "LV_ON", "crate LV_ON");
        var audit = JsonDocument.Parse(await _stands[1].GetAsAdminAsync("/api/audit?limit=1000")).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("user").GetString() == "site:oscar").ToList();
        var row = Assert.Single(audit);
        Assert.Equal(("dcs/cmd/switch/lv", "on", "site", true),
            (row.GetProperty("topic").GetString(), row.GetProperty("payload").GetString(), row.GetProperty("origin").GetString(), row.GetProperty("ok").GetBoolean()));
        // The other stands did not switch, and the site's own audit names its operator and the stand.
        Assert.Equal("LV_OFF", (await StandAtSiteAsync("s1", _ => true, "s1")).GetProperty("crate").GetString());
        var siteAudit = JsonDocument.Parse(await _site.GetAsAdminAsync("/api/audit?limit=1000")).RootElement.EnumerateArray()
            .Single(e => e.GetProperty("user").GetString() == "oscar");
        Assert.Equal("site/s2/dcs/cmd/switch/lv", siteAudit.GetProperty("topic").GetString());
    }

    [Fact]
    public async Task A_stands_refusal_comes_back_to_the_site_with_its_reason()
    {
        await StandAtSiteAsync("s3", s => s.GetProperty("crate").GetString() == "LV_OFF", "crate LV_OFF");

        var refused = await CommandAsync("s3", "dcs/cmd/switch/hv", "on");

        Assert.False(refused.GetProperty("ok").GetBoolean(), refused.ToString());
        var reason = refused.GetProperty("error").GetString()!;
        output.WriteLine(reason);
        Assert.Contains("LV", reason, StringComparison.Ordinal);
        // A command to a stand name that is not one is refused at the site, naming it; nothing is sent.
        var bad = await CommandAsync("S.3", "dcs/cmd/switch/hv", "on");
        Assert.Contains("'S.3' is not a stand name", bad.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_site_page_shows_the_three_stands_and_a_cancelled_confirmation_sends_nothing()
    {
        foreach (var stand in Stands) await StandAtSiteAsync(stand, s => s.GetProperty("crate").GetString() == "LV_OFF", "crate LV_OFF");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // "/" of the site instance is its Site page.
        var page = await PanelStand.LoginAsync(context, $"https://localhost:{_site.HttpsPort}", "oscar", OperatorPassword, "/");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/site$"), new() { Timeout = 30_000 });
        foreach (var stand in Stands)
        {
            var card = page.GetByLabel($"Stand {stand}", new() { Exact = true });
            await Assertions.Expect(card.GetByLabel("Crate")).ToHaveTextAsync("LV_OFF", new() { Timeout = 30_000 });
            await Assertions.Expect(card.GetByLabel("Connection")).ToHaveTextAsync("online", new() { Timeout = 30_000 });
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "LV on at s1" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Stand s1: LV on, as oscar");
        // Cancel comes first and holds the focus, so Enter cancels (as on a stand's pages).
        var buttons = dialog.GetByRole(AriaRole.Button);
        await Assertions.Expect(buttons.First).ToHaveTextAsync("Cancel");
        await Assertions.Expect(buttons.First).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        var audit = JsonDocument.Parse(await _stands[0].GetAsAdminAsync("/api/audit?limit=1000")).RootElement.EnumerateArray();
        Assert.DoesNotContain(audit, e => e.GetProperty("user").GetString() == "site:oscar");
    }

    [Fact]
    public async Task Each_stands_dew_point_margin_is_on_the_site_page_and_a_margin_below_the_minimum_is_marked()
    {
        // s1 in dry air, s2 in humid air (its margin below the stand's 3 °C minimum).
        await _stands[0].PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=7");
        await _stands[1].PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=21");
        static bool Near(JsonElement stand, string property, double value) =>
            stand.GetProperty(property) is { ValueKind: JsonValueKind.Number } v && Math.Abs(v.GetDouble() - value) < 0.5;
        // With its margin known: until the stand's chiller is read, its coldest temperature is not.
        static bool Known(JsonElement stand) => stand.GetProperty("dewPointMargin").ValueKind == JsonValueKind.Number;
        var dry = await StandAtSiteAsync("s1", s => Near(s, "dewPoint", 7) && Known(s), "dew point 7 °C, a margin");
        var humid = await StandAtSiteAsync("s2", s => Near(s, "dewPoint", 21) && Known(s), "dew point 21 °C, a margin");
        output.WriteLine($"{dry}\n{humid}");
        foreach (var stand in new[] { dry, humid })
        {
            // The stand's own figure: its coldest temperature minus its highest dew point, with its minimum.
            var margin = stand.GetProperty("dewPointMargin").GetDouble();
            Assert.Equal(stand.GetProperty("coldestTemperature").GetDouble() - stand.GetProperty("dewPoint").GetDouble(), margin, 0.11);
            Assert.Equal(3, stand.GetProperty("dewPointMarginMin").GetDouble());
        }
        Assert.True(dry.GetProperty("dewPointMargin").GetDouble() >= 3, dry.ToString());
        Assert.True(humid.GetProperty("dewPointMargin").GetDouble() < 3, humid.ToString());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await PanelStand.LoginAsync(context, $"https://localhost:{_site.HttpsPort}", "oscar", OperatorPassword, "/site");
        var dryMargin = page.GetByLabel("Stand s1", new() { Exact = true }).GetByLabel("Dew-point margin");
        var humidMargin = page.GetByLabel("Stand s2", new() { Exact = true }).GetByLabel("Dew-point margin");
        await Assertions.Expect(dryMargin).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+\.\d °C \(dew point 7\.\d °C"), new() { Timeout = 30_000 });
        await Assertions.Expect(dryMargin).Not.ToContainTextAsync("below");
        await Assertions.Expect(humidMargin).ToContainTextAsync("below the stand's minimum of 3.0 °C", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task Each_stand_has_a_page_at_the_site_with_its_channels_and_chiller_and_a_stands_own_page_leads_to_the_site()
    {
        await StandAtSiteAsync("s2", s => s.GetProperty("crate").GetString() == "LV_OFF" && s.GetProperty("chiller").ValueKind == JsonValueKind.String, "crate LV_OFF, a chiller state");
        var reply = await CommandAsync("s2", "dcs/cmd/switch/lv", "on");
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());

        // The stand as its uplink mirrors it: every channel of its channels.yml with its state and readings, and the chiller.
        // The chiller's bath too: the stand publishes its chiller's state as soon as it connects, before the first reading.
        var detail = await DetailAtSiteAsync("s2", d => d.GetProperty("channels").EnumerateArray().Any()
            && d.GetProperty("channels").EnumerateArray().Where(c => c.GetProperty("module").ValueKind == JsonValueKind.String)
                .All(c => c.GetProperty("state").GetString() == "LV_ON" && c.GetProperty("lvVMon").ValueKind == JsonValueKind.Number)
            && d.GetProperty("chiller") is { ValueKind: JsonValueKind.Object } chiller && chiller.GetProperty("bath").ValueKind == JsonValueKind.Number
            && d.GetProperty("sensors").EnumerateArray().Any(b => b.GetProperty("readings").EnumerateObject().Count() == 3)
            && d.GetProperty("marta") is { ValueKind: JsonValueKind.Object } marta && marta.GetProperty("values").TryGetProperty("TT05_CO2", out _)
            && d.GetProperty("switchBox") is { ValueKind: JsonValueKind.Object } box && box.GetProperty("lv").ValueKind != JsonValueKind.Null,
            "its channels with LV on and their LV readings, the chiller's bath, its sensor box's three readings, MARTA's loop temperature, the switch box's relays");
        output.WriteLine(detail.ToString());
        Assert.Equal("s2", detail.GetProperty("stand").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Number, detail.GetProperty("chiller").GetProperty("bath").ValueKind);
        // The stand's simulated sensor box (Sensors:Simulated), as its own Sensors page lists it.
        var box = Assert.Single(detail.GetProperty("sensors").EnumerateArray());
        Assert.Equal("ESP90", box.GetProperty("name").GetString());
        Assert.Equal(["BME_humi", "BME_temp", "DS_temp"], box.GetProperty("readings").EnumerateObject().Select(r => r.Name).Order());
        var modules = detail.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("module").GetString()).OfType<string>().ToList();
        Assert.NotEmpty(modules);
        using (var client = _site.HttpClient())
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"oscar:{OperatorPassword}")));
            var unknown = await client.GetAsync($"https://localhost:{_site.HttpsPort}/api/site/stands/s9");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("no stand 's9' heard at the site", await unknown.Content.ReadAsStringAsync());
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await PanelStand.LoginAsync(context, $"https://localhost:{_site.HttpsPort}", "oscar", OperatorPassword, "/site");
        await page.GetByRole(AriaRole.Link, new() { Name = "s2", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/site/s2$"), new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Stand s2" })).ToBeVisibleAsync();
        var channels = page.GetByLabel("Channels of s2");
        foreach (var module in modules) await Assertions.Expect(channels).ToContainTextAsync(module, new() { Timeout = 30_000 });
        await Assertions.Expect(channels).ToContainTextAsync("LV_ON");
        await Assertions.Expect(page.GetByLabel("Chiller of s2")).ToContainTextAsync("°C");
        await Assertions.Expect(page.GetByLabel("CO2 plant of s2")).ToContainTextAsync("Loop temperature TT05");
        await Assertions.Expect(page.GetByLabel("CO2 plant of s2")).ToContainTextAsync("°C");
        await Assertions.Expect(page.GetByLabel("Switch box of s2")).ToContainTextAsync("LV relay");
        var sensors = page.GetByLabel("Sensor box ESP90 of s2");
        await Assertions.Expect(sensors).ToContainTextAsync("BME_humi");
        await Assertions.Expect(sensors).ToContainTextAsync("%");
        await Assertions.Expect(sensors).ToContainTextAsync("°C");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "LV off at s2" })).ToBeVisibleAsync();
        // The chiller's set point in use, set from the site: confirmed, checked and done by the stand, read back.
        await page.GetByLabel("Chiller set point of s2").FillAsync("18");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set temperature at s2" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Stand s2: set the chiller's set point 1 to 18 °C");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Set temperature at s2" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Answer of s2 to its chiller")).ToHaveTextAsync("Set temperature: done", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByLabel("Chiller of s2")).ToContainTextAsync("1: 18.0 °C", new() { Timeout = 30_000 });
        // For docs/site.md, as the panel's own screenshots are taken (PanelScreenshotTests).
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PanelScreenshotTests.Directory, "site-stand-light-wide.png"), FullPage = true });

        // A stand's own page has no devices behind it here: the site sends the browser to its Site page instead of an error.
        foreach (var path in new[] { "/power", "/chiller", "/procedures", "/runs/1" })
        {
            var response = await page.GotoAsync($"https://localhost:{_site.HttpsPort}{path}");
            Assert.NotNull(response);
            Assert.True(response.Ok, $"{path}: {response.Status}");
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/site\\?from="));
            await Assertions.Expect(page.GetByText($"{path} is a stand's page")).ToBeVisibleAsync();
        }
        // The annunciator's link: the site instance's own alarms (site.cluster) are its alarm manager's.
        {
            var response = await page.GotoAsync($"https://localhost:{_site.HttpsPort}/alarms");
            Assert.True(response!.Ok, $"/alarms: {response.Status}");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Alarms" }).First).ToBeVisibleAsync();
        }
    }

    [Fact]
    public async Task A_site_operator_follows_a_stands_procedure_on_its_page_and_aborts_it_from_there()
    {
        await StandAtSiteAsync("s3", s => !s.GetProperty("lost").GetBoolean() && s.GetProperty("crate").GetString() == "LV_OFF", "online, crate LV_OFF");
        // Hours long: it is still ramping the chiller when the site aborts it.
        var started = await CommandAsync("s3", "procedures/cmd/start", """{"name":"burn-in","modules":["module_0"],"comment":"aborted from the site"}""");
        Assert.True(started.GetProperty("ok").GetBoolean(), started.ToString());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await PanelStand.LoginAsync(context, $"https://localhost:{_site.HttpsPort}", "oscar", OperatorPassword, "/site/s3");
        var procedure = page.GetByLabel("Procedure of s3", new() { Exact = true });
        await Assertions.Expect(procedure.GetByLabel("State")).ToHaveTextAsync("running", new() { Timeout = 30_000 });
        await Assertions.Expect(procedure).ToContainTextAsync("burn-in");
        await Assertions.Expect(procedure).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d+ of \d+: "));
        // Only what applies now: no Resume while it runs, no Stop without a calibration.
        await Assertions.Expect(procedure.GetByRole(AriaRole.Button, new() { Name = "Pause procedure at s3" })).ToBeEnabledAsync();
        await Assertions.Expect(procedure.GetByRole(AriaRole.Button, new() { Name = "Resume procedure at s3" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByLabel("Calibration of s3", new() { Exact = true }).GetByRole(AriaRole.Button)).ToHaveCountAsync(0);

        await procedure.GetByRole(AriaRole.Button, new() { Name = "Abort procedure at s3" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Stand s3: abort the procedure: it ends failed, and its on_abort steps");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Abort procedure at s3" }).ClickAsync();
        await Assertions.Expect(procedure.GetByLabel("Answer of s3 to its procedure")).ToHaveTextAsync("Abort procedure: done", new() { Timeout = 30_000 });
        await Assertions.Expect(procedure.GetByLabel("State")).ToHaveTextAsync("failed", new() { Timeout = 30_000 });
        await Assertions.Expect(procedure).ToContainTextAsync("aborted by site:oscar");
        await Assertions.Expect(procedure.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        // Humid air: an alarm event for the stand's history at the site (before the abort, its fatal alarm would have ended the run).
        await _stands[2].PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=21");
        // The stand's history at the site: the procedure's end, by whom it ran, and the humid air's alarm.
        var history = page.GetByLabel("Recent events of s3", new() { Exact = true });
        var ended = history.GetByRole(AriaRole.Row).Filter(new() { HasText = "aborted by site:oscar" });
        await Assertions.Expect(ended).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(ended).ToContainTextAsync("procedure");
        await Assertions.Expect(ended).ToContainTextAsync("failed");
        await Assertions.Expect(ended).ToContainTextAsync("burn-in");
        await Assertions.Expect(ended).ToContainTextAsync("site:oscar");
        await Assertions.Expect(history.GetByRole(AriaRole.Row).Filter(new() { HasText = "environment.dewpoint" }).Filter(new() { HasText = "raised" }).First)
            .ToBeVisibleAsync(new() { Timeout = 30_000 });
        // Acknowledged from the site, as on the stand's Alarms page: the stand records who, and the site hears it back.
        var humid = page.GetByLabel("Alarms of s3", new() { Exact = true }).GetByRole(AriaRole.Row).Filter(new() { HasText = "dew-point margin" });
        await humid.GetByRole(AriaRole.Button, new() { Name = "Acknowledge at s3" }).ClickAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("Stand s3: acknowledge the alarm environment.dewpoint:stand");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Acknowledge at s3" }).ClickAsync();
        await Assertions.Expect(humid).ToContainTextAsync("Acknowledge: done", new() { Timeout = 30_000 });
        await Assertions.Expect(humid.GetByRole(AriaRole.Cell).Nth(3)).ToHaveTextAsync("yes", new() { Timeout = 30_000 });
        await Assertions.Expect(history.GetByRole(AriaRole.Row).Filter(new() { HasText = "acknowledged" }).Filter(new() { HasText = "site:oscar" }).First)
            .ToBeVisibleAsync(new() { Timeout = 30_000 });
        // From the top: a full-page screenshot of a scrolled page draws the fixed app bar where the view was.
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PanelScreenshotTests.Directory, "site-stand-procedure-light-wide.png"), FullPage = true });

        // The stand's own records, read through its uplink: the run in its procedure history, and its record with its steps.
        await page.GetByRole(AriaRole.Link, new() { Name = "Runs and procedures" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/site/s3/runs$"));
        var runs = page.GetByLabel("Procedure runs of s3", new() { Exact = true });
        var row = runs.GetByRole(AriaRole.Row).Filter(new() { HasText = "aborted by site:oscar" });
        await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(row).ToContainTextAsync("burn-in");
        await Assertions.Expect(row).ToContainTextAsync("failed");
        await Assertions.Expect(page.GetByText("No calibration has run at this stand.")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PanelScreenshotTests.Directory, "site-stand-runs-light-wide.png"), FullPage = true });
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/site/s3/procedures/\\d+$"));
        await Assertions.Expect(page.GetByLabel("Procedure run state")).ToContainTextAsync("failed: aborted by site:oscar", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByLabel("Procedure run document")).ToContainTextAsync("burn-in");
        await Assertions.Expect(page.GetByLabel("Procedure steps")).ToContainTextAsync("julabo/cmd/start");
        await Assertions.Expect(page.GetByLabel("on_abort steps")).ToContainTextAsync("dcs/cmd/switch/hv off");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PanelScreenshotTests.Directory, "site-procedure-run-light-wide.png"), FullPage = true });

        var audit = JsonDocument.Parse(await _stands[2].GetAsAdminAsync("/api/audit?limit=1000")).RootElement.EnumerateArray().ToList();
        Assert.Contains(audit, e => e.GetProperty("user").GetString() == "site:oscar" && e.GetProperty("topic").GetString() == "procedures/cmd/abort");
        Assert.Contains(audit, e => e.GetProperty("user").GetString() == "site:oscar" && e.GetProperty("topic").GetString() == "alarms/cmd/ack");
    }

    [Fact]
    public async Task A_stand_that_stops_is_a_major_alarm_of_the_site_shown_in_its_annunciator_beside_the_stands_own_alarms()
    {
        await StandAtSiteAsync("s1", s => !s.GetProperty("lost").GetBoolean(), "online");
        // One of the stands' own alarms, which the annunciator counts as a stand's panel does.
        await _stands[1].PostAsAdminAsync("/api/simulator/sensors/dewpoint?celsius=21");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await PanelStand.LoginAsync(context, $"https://localhost:{_site.HttpsPort}", "oscar", OperatorPassword, "/site");
        var newest = page.Locator(".ann-message");
        await Assertions.Expect(newest).ToContainTextAsync("s2: dew-point margin", new() { Timeout = 30_000 });

        await _stands[0].KillAsync();

        // Within Site:LostAfter (15 s) of its last beat: the site's own alarm, newest in the annunciator, in the site's alarms.
        await Assertions.Expect(newest).ToContainTextAsync("stand s1 not heard since", new() { Timeout = 40_000 });
        await Assertions.Expect(page.Locator(".annunciator")).ToContainTextAsync("2 major");
        await StandAtSiteAsync("s1", s => s.GetProperty("lost").GetBoolean(), "lost");
        // The site's own alarm page: the alarm with its guidance, to be acknowledged there.
        await page.GotoAsync($"https://localhost:{_site.HttpsPort}/alarms");
        await Assertions.Expect(page.GetByText("stand s1 not heard since").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByText("The site cannot tell which: look at the stand itself.").First).ToBeVisibleAsync();
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
}
