using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TrackerDcs.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>The Procedures page and a procedure run's page in Chromium against the real process and its simulated crate.</summary>
[Collection(PanelCollection.Name)]
public sealed class ProceduresPanelTests(PanelStand panel)
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToContainTextOptions SoonContains = new() { Timeout = 20_000 };
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    private Task PublishAsync(string topic, string? payload = null) => Mosquitto.PubAsync(panel.Stand.MqttPort,
        [.. Admin, "-q", "1", "-t", topic, .. payload is null ? new[] { "-n" } : ["-m", payload]]);

    [Fact]
    public async Task An_operator_runs_the_shipped_iv_scan_sees_progress_the_curve_and_the_run_in_history_then_pauses_and_aborts_one()
    {
        // module_0's HV channel (board 12, channel 0) drives a sensor that breaks down above 150 V; no charging transient,
        // so the breakdown criterion (a factor 2 in one step) stops the scan at 160 V, its 9th point.
        await panel.Stand.PostAsAdminAsync("/api/simulator/caen/sensor/12/0?breakdown=150&charge=0");
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/chiller");
        try
        {
            // HV needs the chiller on (an interlock), and LV on first.
            await PublishAsync("julabo/cmd/start");
            await Expect(page.GetByLabel("Chiller state")).ToHaveTextAsync("ON", Soon);
            await page.GotoAsync($"{panel.BaseUrl}/power");
            await PublishAsync("dcs/cmd/switch/lv", "on");
            await Expect(page.GetByLabel("Crate state")).ToHaveTextAsync("LV_ON", Soon);
            await PublishAsync("dcs/cmd/switch/hv", "on");
            await Expect(page.GetByLabel("Crate state")).ToHaveTextAsync(new Regex("HV_RAMP|HV_ON"), Soon);

            await page.GotoAsync($"{panel.BaseUrl}/procedures");
            await page.GetByLabel("Procedure", new() { Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "iv-scan" }).ClickAsync();
            await Expect(page.GetByLabel("Procedure description")).ToContainTextAsync("IV scan", SoonContains);
            // The form is the file's parameters: unit in the label, bounds and default below.
            var stop = page.GetByLabel("stop (V)");
            await Expect(stop).ToHaveValueAsync("300");
            await Expect(page.GetByText("0 … 600 V, default 300 · last point")).ToBeVisibleAsync();
            foreach (var (label, value) in new[] { ("stop (V)", "200"), ("step (V)", "20"), ("settle (s)", "1"), ("samples", "3"), ("compliance (µA)", "50"), ("breakdown_factor", "2"), ("ramp_rate (V/s)", "200") })
                await page.GetByLabel(label, new() { Exact = true }).FillAsync(value);
            await ChooseModuleAsync(page, "module_0");
            await page.GetByLabel("Comment").FillAsync("panel IV scan");

            await page.GetByRole(AriaRole.Button, new() { Name = "Start procedure" }).ClickAsync();
            var state = page.GetByLabel("Procedure state");
            await Expect(state).ToHaveTextAsync("running", Soon);
            await Expect(page.GetByLabel("Procedure progress")).ToBeVisibleAsync();
            await Expect(page.GetByLabel("Procedure step")).ToContainTextAsync("iv_scan", new() { Timeout = 60_000 });
            await Expect(page.GetByLabel("Procedure times")).ToContainTextAsync(new Regex(@"elapsed \d+ s · about .* left"));
            await Expect(page.GetByLabel("Procedure log")).ToContainTextAsync("IV 20 V: channel 0 ", SoonContains);
            await Expect(state).ToHaveTextAsync("finished", new() { Timeout = 120_000 });
            await Expect(page.GetByLabel("Procedure log")).ToContainTextAsync("IV scan stopped, breakdown: channel 0 drew ");

            var row = page.GetByLabel("Procedure history").Locator("tbody tr").First;
            await Expect(row).ToContainTextAsync("iv-scan", SoonContains);
            await Expect(row).ToContainTextAsync("finished");
            await Expect(row).ToContainTextAsync("module_0");
            await row.GetByRole(AriaRole.Link).ClickAsync();

            await Expect(page.GetByLabel("Procedure run state")).ToHaveTextAsync("finished", Soon);
            await Expect(page.GetByLabel("Procedure run document")).ToContainTextAsync("panel IV scan");
            await Expect(page.GetByLabel("IV scan outcome")).ToContainTextAsync("stopped at breakdown: channel 0 drew ");
            await Expect(page.GetByLabel("IV scan outcome")).ToContainTextAsync("9 points");
            var points = page.GetByLabel("IV points").Locator("tbody tr");
            await Expect(points).ToHaveCountAsync(9);
            await Expect(points.Nth(8)).ToContainTextAsync("160");
            var chart = page.GetByTestId("iv-chart");
            await Expect(chart).ToHaveAttributeAsync("data-state", "ready");
            await Expect(chart).ToHaveAttributeAsync("data-points", "9");
            await Expect(chart).ToHaveAttributeAsync("data-series", "1");
            await Expect(chart.Locator("canvas")).ToHaveCountAsync(1);
            await page.GetByLabel("Log current").CheckAsync();
            await Expect(chart).ToHaveAttributeAsync("data-scale", "log");
            var steps = page.GetByLabel("Procedure steps");
            await Expect(steps).ToContainTextAsync("wait_until");
            await Expect(steps).ToContainTextAsync("ok: 9 points, stopped at breakdown");
            var runUrl = page.Url;

            await ScreenshotsAsync(context, runUrl);

            // A second scan that settles for ten minutes at its first point: paused, resumed, and aborted once confirmed.
            await page.GotoAsync($"{panel.BaseUrl}/procedures");
            await page.GetByLabel("Procedure", new() { Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "iv-scan" }).ClickAsync();
            await page.GetByLabel("settle (s)", new() { Exact = true }).FillAsync("600");
            await ChooseModuleAsync(page, "module_0");
            await page.GetByRole(AriaRole.Button, new() { Name = "Start procedure" }).ClickAsync();
            await Expect(state).ToHaveTextAsync("running", Soon);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start procedure" })).ToBeDisabledAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
            await Expect(state).ToHaveTextAsync("paused", Soon);
            await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
            await Expect(state).ToHaveTextAsync("running", Soon);

            // Cancel is the default answer: Enter on the open dialog keeps the run going.
            await page.GetByRole(AriaRole.Button, new() { Name = "Abort", Exact = true }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Expect(dialog).ToContainTextAsync("on_abort");
            await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");
            await Expect(dialog).ToHaveCountAsync(0);
            await Expect(state).ToHaveTextAsync("running");

            await page.GetByRole(AriaRole.Button, new() { Name = "Abort", Exact = true }).ClickAsync();
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Abort the run" }).ClickAsync();
            await Expect(state).ToHaveTextAsync("failed", new() { Timeout = 60_000 });
            await Expect(page.GetByLabel("Procedure reason")).ToContainTextAsync("aborted by operator");
            await Expect(page.GetByLabel("Procedure history").Locator("tbody tr").First).ToContainTextAsync("aborted by operator", SoonContains);
        }
        finally
        {
            await panel.Stand.PostAsAdminAsync("/api/simulator/caen/sensor/12/0?remove=true");
            // Back to the dark stand the other panel tests expect: HV off, then LV off once HV has ramped down.
            await page.GotoAsync($"{panel.BaseUrl}/power");
            var crate = page.GetByLabel("Crate state");
            await PublishAsync("dcs/cmd/switch/hv", "off");
            await Expect(crate).ToHaveTextAsync(new Regex("^LV_(ON|OFF)$"), new() { Timeout = 30_000 });
            await PublishAsync("dcs/cmd/switch/lv", "off");
            await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
            await PublishAsync("julabo/cmd/stop");
        }
    }

    [Fact]
    public async Task A_viewer_sees_the_procedures_read_only_with_the_reason()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/procedures");
        await Expect(page.GetByLabel("Read only")).ToContainTextAsync("viewer is a viewer: only operators and admins send commands", SoonContains);
        await page.GetByLabel("Procedure", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "iv-scan" }).ClickAsync();
        // The form is there to read, not to change.
        await Expect(page.GetByLabel("stop (V)")).ToBeDisabledAsync();
        var start = page.GetByRole(AriaRole.Button, new() { Name = "Start procedure" });
        await Expect(start).ToBeDisabledAsync();
        Assert.Contains("only operators and admins send commands", await Hover(start));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Abort", Exact = true })).ToBeDisabledAsync();
    }

    /// <summary>Picks one module in the multi-select and closes it (see the Runs page's test: a first Escape can come too early).</summary>
    private static async Task ChooseModuleAsync(IPage page, string name)
    {
        await page.GetByLabel("Modules").ClickAsync();
        var module = page.GetByRole(AriaRole.Option, new() { Name = name });
        await module.ClickAsync();
        for (var attempt = 0; attempt < 20 && await module.IsVisibleAsync(); attempt++)
        {
            await page.Keyboard.PressAsync("Escape");
            await Task.Delay(250);
        }
        await Expect(module).ToBeHiddenAsync();
    }

    /// <summary>The Procedures page and a run's page, light and dark, 800 and 1920 px wide; neither scrolls sideways when narrow.</summary>
    private async Task ScreenshotsAsync(IBrowserContext logged, string runUrl)
    {
        var state = await logged.StorageStateAsync();
        var written = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            foreach (var width in new[] { 800, 1920 })
            {
                await using var context = await panel.ContextAsync(width, 900, scheme, state);
                foreach (var (name, url, heading) in new[] { ("procedures", $"{panel.BaseUrl}/procedures", "Procedures"), ("procedure-run", runUrl, "Procedure run") })
                {
                    var page = await context.NewPageAsync();
                    page.SetDefaultTimeout(15_000);
                    await page.GotoAsync(url);
                    await Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading })).ToBeVisibleAsync();
                    await Expect(page.GetByRole(AriaRole.Button, new() { Name = scheme == ColorScheme.Dark ? "Light theme" : "Dark theme" })).ToBeVisibleAsync();
                    if (name == "procedure-run") await Expect(page.GetByTestId("iv-chart")).ToHaveAttributeAsync("data-state", "ready");
                    await page.WaitForTimeoutAsync(300); // let MudBlazor's transitions finish
                    var path = Path.Combine(PanelScreenshotTests.Directory, $"{name}-{(scheme == ColorScheme.Dark ? "dark" : "light")}-{(width == 800 ? "narrow" : "wide")}.png");
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
                    written.Add(path);
                    if (width == 800)
                    {
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

    private static async Task<string> Hover(ILocator control) =>
        await control.Locator("xpath=ancestor::*[@title][1]").GetAttributeAsync("title") ?? "";
}
