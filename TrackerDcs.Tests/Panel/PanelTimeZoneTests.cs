using System.Globalization;
using Microsoft.Playwright;
using TrackerDcs.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// Issue 20, item 8: one time zone, the browser's, on every page. The browser runs in Tokyo (the stand's server in UTC):
/// every time a page shows is Tokyo's, the zone is named, and the UTC time is in the hover title. The same event reads
/// the same on each page that shows it.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class PanelTimeZoneTests(PanelStand panel)
{
    private const string Zone = "Asia/Tokyo";
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById(Zone);
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);
    private static readonly LocatorAssertionsToContainTextOptions SoonContains = new() { Timeout = 20_000 };

    [Fact]
    public async Task Every_page_shows_times_in_the_browsers_zone_labelled_with_utc_on_hover()
    {
        // Events for the pages: a command (Overview and Audit), a sensor box's reading (Sensors), an alarm (Alarms); the
        // demo week has runs (Runs, a run's page).
        await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "off"]);
        await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-t", "ESP09/sensors/BME/temp", "-m", "21.0"]);
        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        try
        {
            await using var context = await panel.ContextAsync(timeZone: Zone);
            var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/");

            // The newest command, on the Overview and in the audit log: the same instant, written the same.
            var overviewCommand = page.GetByLabel("Commands").Locator("td[data-label=Time] time").First;
            await Expect(overviewCommand).ToBeVisibleAsync();
            var commandAt = (await overviewCommand.GetAttributeAsync("datetime"))!;
            var commandText = await overviewCommand.TextContentAsync();
            await ExpectLocalTimesAsync(page, "Overview");

            await page.GotoAsync($"{panel.BaseUrl}/audit");
            var auditCommand = page.GetByLabel("Commands").Locator($"time[datetime='{commandAt}']").First;
            await Expect(auditCommand).ToHaveTextAsync(commandText!);
            await Expect(page.GetByLabel("Commands")).ToContainTextAsync($"Time ({Zone})");
            await ExpectLocalTimesAsync(page, "Audit");

            await page.GotoAsync($"{panel.BaseUrl}/alarms");
            await Expect(page.GetByLabel("Alarm julabo.fault:julabo")).ToContainTextAsync(Zone, SoonContains);
            await ExpectLocalTimesAsync(page, "Alarms");

            await page.GotoAsync($"{panel.BaseUrl}/sensors");
            await Expect(page.GetByLabel("Sensor box ESP09")).ToContainTextAsync($"last seen", SoonContains);
            await Expect(page.GetByLabel("Sensor box ESP09")).ToContainTextAsync(Zone);
            await ExpectLocalTimesAsync(page, "Sensors");

            // A run in the list and on its own page: the same start.
            await page.GotoAsync($"{panel.BaseUrl}/runs");
            var history = page.GetByLabel("Run history");
            await Expect(history).ToContainTextAsync($"start ({Zone})");
            var runStart = history.Locator("td[data-label=start] time").First;
            await Expect(runStart).ToBeVisibleAsync();
            var runAt = (await runStart.GetAttributeAsync("datetime"))!;
            var runText = (await runStart.TextContentAsync())!;
            await ExpectLocalTimesAsync(page, "Runs");
            await history.GetByRole(AriaRole.Link).First.ClickAsync();
            var documentStart = page.GetByLabel("Run document").Locator($"time[datetime='{runAt}']");
            await Expect(documentStart).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($@"^{runText}\.\d{{3}}$"));
            await Expect(page.GetByLabel("Run document")).ToContainTextAsync($"start ({Zone})");
            await ExpectLocalTimesAsync(page, "Run detail");
        }
        finally
        {
            await panel.ClearChillerAlarmAsync();
        }
    }

    [Fact]
    public async Task A_shelves_expiry_reads_as_a_local_time_named_by_its_zone_not_as_an_iso_timestamp()
    {
        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        try
        {
            await using var context = await panel.ContextAsync(timeZone: Zone);
            var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/alarms");
            var alarm = page.GetByLabel("Alarm julabo.fault:julabo");
            await Expect(alarm).ToContainTextAsync("LOW LIQUID LEVEL", SoonContains);
            await alarm.GetByLabel("Minutes").FillAsync("90");
            await alarm.GetByLabel("Reason to shelve").PressSequentiallyAsync("pump being serviced");
            var shelvedAt = DateTimeOffset.UtcNow;
            await page.GetByRole(AriaRole.Button, new() { Name = "Shelve julabo.fault:julabo" }).ClickAsync();

            var shelved = alarm.GetByText("shelved by operator until");
            await Expect(shelved).ToContainTextAsync("pump being serviced", SoonContains);
            var expiry = shelved.Locator("time");
            var until = DateTimeOffset.Parse((await expiry.GetAttributeAsync("datetime"))!, CultureInfo.InvariantCulture);
            Assert.InRange(until - shelvedAt, TimeSpan.FromMinutes(89), TimeSpan.FromMinutes(91));
            // Read as the shifter reads a clock: Tokyo's time of day (with the date when it is not today in Tokyo), the zone
            // named; UTC on hover. Never the stored ISO form.
            var local = TimeZoneInfo.ConvertTime(until, Tokyo).DateTime;
            var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Tokyo).Date;
            var expected = local.ToString(local.Date == today ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + Zone;
            await Expect(expiry).ToHaveTextAsync(expected);
            await Expect(expiry).ToHaveAttributeAsync("title", until.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC");
            Assert.DoesNotMatch(@"\d{4}-\d\d-\d\dT\d\d:", await shelved.TextContentAsync());
        }
        finally
        {
            await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "alarms/cmd/unshelve", "-m", """{"key":"julabo.fault:julabo"}"""]);
            await panel.ClearChillerAlarmAsync();
        }
    }

    /// <summary>
    /// Every time element of the page: its text is its instant in Tokyo (a date and time, a time of day, to the
    /// millisecond, or a caption naming the zone), and its title the same instant in UTC.
    /// </summary>
    private static async Task ExpectLocalTimesAsync(IPage page, string name)
    {
        await Expect(page.Locator(".mud-main-content time").First).ToBeVisibleAsync();
        var times = await page.Locator(".mud-main-content time").EvaluateAllAsync<string[][]>(
            "es => es.map(e => [e.getAttribute('datetime'), e.getAttribute('title'), e.textContent.trim()])");
        Assert.NotEmpty(times);
        foreach (var time in times)
        {
            var instant = DateTimeOffset.Parse(time[0], CultureInfo.InvariantCulture);
            var local = TimeZoneInfo.ConvertTime(instant, Tokyo).DateTime;
            string[] forms =
            [
                local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                local.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                local.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                local.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " " + Zone,
                local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + Zone,
            ];
            Assert.True(forms.Contains(time[2]), $"{name}: \"{time[2]}\" is not {instant:O} in {Zone}");
            Assert.Equal(instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC", time[1]);
        }
    }
}
