using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// Every page, light and dark, on a narrow laptop window (800 px) and a wide control-room screen (1920 px),
/// written to docs/screenshots/ for the README. The stand has the demo week, so the charts show real curves, and a
/// chiller fault is active, so the annunciator, the banner and the alarm lists show what a night shift sees. Also checks
/// that no page scrolls sideways when narrow.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class PanelScreenshotTests(PanelStand panel)
{
    private static readonly (string Name, string Path, string Heading)[] Pages =
    [
        ("overview", "/", "Overview"),
        ("power", "/power", "Power (CAEN)"),
        ("channel", "/power/0", "Channel 0"),
        ("chiller", "/chiller", "Chiller (Julabo)"),
        ("marta", "/marta", "CO2 plant (MARTA)"),
        ("switchbox", "/switchbox", "Switch box"),
        ("alarms", "/alarms", "Alarms"),
        ("sensors", "/sensors", "Sensor boxes"),
        ("runs", "/runs", "Calibration runs (Ph2_ACF)"),
        ("trends", "/trends?signal=chiller.internal_temp&signal=chiller.setpoint_1&signal=channels.hv_iMon%5Bid%3D0%5D&signal=channels.hv_iMon%5Bid%3D1%5D&range=7d", "Trends"),
        ("audit", "/audit", "Audit log"),
        ("users", "/users", "Users and roles"),
    ];

    public static string Directory => System.IO.Directory.CreateDirectory(Repository.File("docs", "screenshots")).FullName;

    [Fact]
    public async Task Every_page_is_written_light_and_dark_narrow_and_wide()
    {
        string state;
        // A run of its own, for the run page's conditions (the demo week's runs have none stored).
        var run = await panel.FinishedRunAsync("screenshots");
        await using var login = await panel.ContextAsync();
        // The crate powered (LV on) shows more than a dark stand; it is switched off again at the end.
        var power = await panel.LoginAsync(login, "admin", Support.StandProcess.AdminPassword, "/power");
        state = await login.StorageStateAsync();
        await Expect(power.GetByLabel("Crate state")).ToHaveTextAsync("LV_OFF", new() { Timeout = 15_000 });
        await power.GetByRole(AriaRole.Button, new() { Name = "LV on", Exact = true }).ClickAsync();
        await Expect(power.GetByLabel("Crate state")).ToHaveTextAsync("LV_ON", new() { Timeout = 15_000 });
        // And one refusal for the audit log to show.
        await power.GetByLabel("HV set V of channel 1").FillAsync("1500");
        await power.GetByRole(AriaRole.Button, new() { Name = "Set HV of channel 1" }).ClickAsync();
        await Expect(power.GetByLabel("Command refused")).ToContainTextAsync("above the boards' 1000 V");

        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        try
        {
            await ShootAllAsync(state, [.. Pages, ("run", $"/runs/{run}", $"Run {run}")]);
        }
        finally
        {
            await panel.ClearChillerAlarmAsync();
        }
        await power.GetByRole(AriaRole.Button, new() { Name = "LV off", Exact = true }).ClickAsync();
        await power.GetByRole(AriaRole.Button, new() { Name = "Switch LV off" }).ClickAsync();
        await Expect(power.GetByLabel("Crate state")).ToHaveTextAsync("LV_OFF", new() { Timeout = 15_000 });
    }

    private async Task ShootAllAsync(string state, (string Name, string Path, string Heading)[] pages)
    {
        var written = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            foreach (var width in new[] { 800, 1920 })
            {
                var theme = scheme == ColorScheme.Dark ? "dark" : "light";
                var size = width == 800 ? "narrow" : "wide";
                await using (var anonymous = await panel.ContextAsync(width, 900, scheme))
                {
                    var page = await anonymous.NewPageAsync();
                    await page.GotoAsync($"{panel.BaseUrl}/login");
                    written.Add(await ShotAsync(page, $"login-{theme}-{size}.png"));
                }
                await using var context = await panel.ContextAsync(width, 900, scheme, state);
                foreach (var (name, path, heading) in pages)
                {
                    var page = await context.NewPageAsync();
                    page.SetDefaultTimeout(15_000);
                    await page.GotoAsync($"{panel.BaseUrl}{path}");
                    await Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading })).ToBeVisibleAsync();
                    await Expect(page.GetByRole(AriaRole.Alert, new() { Name = "Major alarm not acknowledged" })).ToBeVisibleAsync();
                    // The theme follows the browser's preference once the circuit runs: the toggle then offers the other one.
                    await Expect(page.GetByRole(AriaRole.Button, new() { Name = scheme == ColorScheme.Dark ? "Light theme" : "Dark theme" })).ToBeVisibleAsync();
                    // Every trend chart has its data (or says why not).
                    await page.WaitForFunctionAsync("[...document.querySelectorAll('[data-testid=trend-chart]')].every(c => ['ready', 'error'].includes(c.dataset.state))");
                    await page.WaitForTimeoutAsync(300); // let MudBlazor's transitions finish
                    written.Add(await ShotAsync(page, $"{name}-{theme}-{size}.png"));
                    if (width == 800)
                    {
                        // Neither the page nor a table in it may scroll sideways (a hidden column is a hidden control).
                        var overflow = await page.EvaluateAsync<int>("""
                            Math.max(document.documentElement.scrollWidth - document.documentElement.clientWidth,
                                     ...[...document.querySelectorAll('.mud-table-container')].map(t => t.scrollWidth - t.clientWidth))
                            """);
                        Assert.True(overflow <= 0, $"{name} scrolls sideways by {overflow} px at 800 px");
                    }
                    await page.CloseAsync();
                }
            }
        Assert.All(written, f => Assert.True(new FileInfo(f).Length > 5_000, $"{f} is nearly empty"));
    }

    private static async Task<string> ShotAsync(IPage page, string file)
    {
        var path = Path.Combine(Directory, file);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }
}
