using Microsoft.Playwright;
using TrackerDcs.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// Issue 20, item 9: every page at 800 px, as admin, with data in its tables (audit rows, an active alarm, runs),
/// wider than no window and no container; and the Overview puts its active alarms first there.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class PanelNarrowTests(PanelStand panel)
{
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    /// <summary>
    /// Anything wider than the window or than the box it sits in, as "selector: width in container" lines. A table in
    /// MudBlazor's scrolling container counts: its hidden columns are hidden controls, even if the page itself fits.
    /// </summary>
    private const string Overflowing = """
        () => {
            const out = [];
            const root = document.documentElement;
            if (root.scrollWidth > window.innerWidth) out.push(`page: ${root.scrollWidth} > ${window.innerWidth}`);
            for (const e of document.querySelectorAll('table, .mud-table-container, .mud-card, .mud-paper, pre, .mud-alert')) {
                const box = e.parentElement.getBoundingClientRect();
                const own = e.getBoundingClientRect();
                const label = `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}[${e.getAttribute('aria-label') ?? ''}]`;
                if (own.width > box.width + 1 || own.right > window.innerWidth + 1) out.push(`${label}: ${Math.round(own.width)} in ${Math.round(box.width)}`);
                if (e.scrollWidth > e.clientWidth + 1) out.push(`${label}: scrolls ${e.scrollWidth - e.clientWidth} px sideways`);
            }
            return out;
        }
        """;

    [Fact]
    public async Task No_page_is_wider_than_800_px_with_data_present_and_active_alarms_come_first()
    {
        // Audit rows: a refusal with a long unbreakable payload (the kind that widened the command table) and a
        // refused HV on; an active major alarm; the demo week's runs.
        await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/clear", "-m", string.Join("|", Enumerable.Range(0, 12).Select(i => $"CH{i}|OFF"))]);
        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        try
        {
            await using var context = await panel.ContextAsync(800, 900);
            var page = await panel.LoginAsync(context, "admin", StandProcess.AdminPassword, "/runs");
            var history = page.GetByLabel("Run history");
            await Expect(history.Locator("tbody tr").First).ToBeVisibleAsync();
            var run = await history.Locator("tbody tr a").First.TextContentAsync();
            var pages = new List<(string Path, string Heading)>
            {
                ("/", "Overview"), ("/power", "Power (CAEN)"), ("/power/0", "Channel 0"), ("/chiller", "Chiller (Julabo)"),
                ("/marta", "CO2 plant (MARTA)"), ("/switchbox", "Switch box"), ("/sensors", "Sensor boxes"), ("/alarms", "Alarms"),
                ("/runs", "Calibration runs (Ph2_ACF)"), ($"/runs/{run}", $"Run {run}"), ("/procedures", "Procedures"),
                ("/audit", "Audit log"), ("/users", "Users and roles"),
                ("/trends?signal=chiller.internal_temp&range=1d", "Trends"),
            };
            // A procedure run's page, when an earlier test of the collection left one (the demo week has none).
            await page.GotoAsync($"{panel.BaseUrl}/procedures");
            var procedure = page.GetByLabel("Procedure history").Locator("tbody tr a").First;
            if (await procedure.CountAsync() > 0) pages.Add(($"/procedures/{await procedure.TextContentAsync()}", "Procedure run"));

            var problems = new List<string>();
            foreach (var (path, heading) in pages)
            {
                await page.GotoAsync($"{panel.BaseUrl}{path}");
                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = false }).First).ToBeVisibleAsync();
                // The alarm is on every page's banner, so every page is measured with it.
                await Expect(page.GetByRole(AriaRole.Alert, new() { Name = "Major alarm not acknowledged" })).ToBeVisibleAsync();
                await page.WaitForTimeoutAsync(300); // MudBlazor's transitions (the drawer folding away) settle
                problems.AddRange((await page.EvaluateAsync<string[]>(Overflowing)).Select(p => $"{path}: {p}"));
            }
            Assert.True(problems.Count == 0, string.Join("\n", problems));

            // The pages with the data the test is about show it (a page that measured empty would prove nothing).
            await page.GotoAsync($"{panel.BaseUrl}/audit");
            var row = page.GetByLabel("Commands").Locator("tr", new() { HasText = "CH0|OFF|CH1|OFF" }).First;
            var result = row.Locator("td").Last;
            await Expect(result).ToBeVisibleAsync();
            var box = (await result.BoundingBoxAsync())!;
            Assert.True(box.X + box.Width <= 800, $"the result column ends at x={box.X + box.Width}, off an 800 px window");

            // Narrow, the Overview opens with what needs an operator: the active alarms above the devices.
            await page.GotoAsync($"{panel.BaseUrl}/");
            var alarms = page.GetByRole(AriaRole.Region, new() { Name = "Active alarms" });
            await Expect(alarms).ToContainTextAsync("LOW LIQUID LEVEL");
            await Expect(alarms).ToBeInViewportAsync();
            var alarmsTop = (await alarms.BoundingBoxAsync())!.Y;
            var powerTop = (await page.GetByRole(AriaRole.Region, new() { Name = "Power (CAEN)" }).BoundingBoxAsync())!.Y;
            Assert.True(alarmsTop < powerTop, $"active alarms at y={alarmsTop}, below the power card at y={powerTop}");
        }
        finally
        {
            await panel.ClearChillerAlarmAsync();
        }
    }

    [Fact]
    public async Task Wide_the_overview_keeps_the_devices_first()
    {
        await using var context = await panel.ContextAsync(1920, 900);
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/");
        var alarms = page.GetByRole(AriaRole.Region, new() { Name = "Active alarms" });
        var power = page.GetByRole(AriaRole.Region, new() { Name = "Power (CAEN)" });
        await Expect(alarms).ToBeVisibleAsync();
        Assert.True((await power.BoundingBoxAsync())!.Y < (await alarms.BoundingBoxAsync())!.Y, "wide, the devices come first");
    }
}
