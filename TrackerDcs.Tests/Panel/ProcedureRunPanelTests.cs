using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TrackerDcs.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// A procedure run's page while its IV scan goes: the curve gains points as they are measured, earlier scans of the
/// same module are overlaid on demand, and in the dark theme the chart's axes are drawn in the theme's text colour.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class ProcedureRunPanelTests(PanelStand panel)
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 20_000 };
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    private Task PublishAsync(string topic, string? payload = null) => Mosquitto.PubAsync(panel.Stand.MqttPort,
        [.. Admin, "-q", "1", "-t", topic, .. payload is null ? new[] { "-n" } : ["-m", payload]]);

    /// <summary>Starts the shipped iv-scan of module_0 from the Procedures page and returns the run's number.</summary>
    private static async Task<long> StartScanAsync(IPage page, string baseUrl, string stop, string settle)
    {
        await page.GotoAsync($"{baseUrl}/procedures");
        await page.GetByLabel("Procedure", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "iv-scan" }).ClickAsync();
        foreach (var (label, value) in new[] { ("stop (V)", stop), ("step (V)", "20"), ("settle (s)", settle), ("samples", "2"), ("ramp_rate (V/s)", "200") })
            await page.GetByLabel(label, new() { Exact = true }).FillAsync(value);
        await page.GetByLabel("Modules").ClickAsync();
        var module = page.GetByRole(AriaRole.Option, new() { Name = "module_0" });
        await module.ClickAsync();
        // A first Escape can come before the list is ready for it (see ProceduresPanelTests).
        for (var attempt = 0; attempt < 20 && await module.IsVisibleAsync(); attempt++)
        {
            await page.Keyboard.PressAsync("Escape");
            await Task.Delay(250);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Start procedure" }).ClickAsync();
        await Expect(page.GetByLabel("Procedure state")).ToHaveTextAsync("running", Soon);
        var link = page.GetByLabel("Current run");
        return long.Parse((await link.TextContentAsync())!.Replace("run ", ""));
    }

    [Fact]
    public async Task The_curve_gains_points_while_the_scan_runs_earlier_scans_overlay_on_demand_and_dark_axes_are_light()
    {
        // A sensor without breakdown or transient: every scan runs to its last point.
        await panel.Stand.PostAsAdminAsync("/api/simulator/caen/sensor/12/0?current=1&depletion=100&breakdown=1000&charge=0");
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/chiller");
        try
        {
            await PublishAsync("julabo/cmd/start");
            await Expect(page.GetByLabel("Chiller state")).ToHaveTextAsync("ON", Soon);
            await page.GotoAsync($"{panel.BaseUrl}/power");
            await PublishAsync("dcs/cmd/switch/lv", "on");
            await Expect(page.GetByLabel("Crate state")).ToHaveTextAsync("LV_ON", Soon);
            await PublishAsync("dcs/cmd/switch/hv", "on");
            await Expect(page.GetByLabel("Crate state")).ToHaveTextAsync(new Regex("HV_RAMP|HV_ON"), Soon);

            // An earlier, short scan of the same module, to overlay later.
            var earlier = await StartScanAsync(page, panel.BaseUrl, stop: "40", settle: "0.5");
            await Expect(page.GetByLabel("Procedure state")).ToHaveTextAsync("finished", new() { Timeout = 60_000 });

            // Six points, 3 s of settling each: the page is open while they come.
            var run = await StartScanAsync(page, panel.BaseUrl, stop: "100", settle: "3");
            await page.GetByLabel("Current run").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Procedure run {run}" })).ToBeVisibleAsync();
            var chart = page.GetByTestId("iv-chart");
            var state = page.GetByLabel("Procedure run state");
            // Sampled every 250 ms for at most 90 s: the point counts the chart showed while the run was still going.
            var seen = new List<int>();
            for (var k = 0; k < 360 && await state.TextContentAsync() == "running"; k++)
            {
                if (await chart.CountAsync() == 1 && await chart.GetAttributeAsync("data-points") is { } n && (seen.Count == 0 || seen[^1] != int.Parse(n)))
                    seen.Add(int.Parse(n));
                await Task.Delay(250);
            }
            Assert.True(seen.Count(n => n > 0) >= 2, $"the chart showed point counts {string.Join(", ", seen)} while the scan ran");
            Assert.Equal(seen.Order(), seen);
            await Expect(state).ToHaveTextAsync("finished", new() { Timeout = 60_000 });
            await Expect(chart).ToHaveAttributeAsync("data-points", "6");
            await Expect(chart).ToHaveAttributeAsync("data-series", "1");

            // The earlier scan of module_0, chosen: its curve joins this one's.
            var overlay = page.GetByLabel($"Overlay run {earlier}");
            await overlay.CheckAsync();
            await Expect(chart).ToHaveAttributeAsync("data-series", "2");
            await overlay.UncheckAsync();
            await Expect(chart).ToHaveAttributeAsync("data-series", "1");

            // The dark theme: the axes' titles and values in its text colour, also when the theme comes after the first draw.
            var state2 = await context.StorageStateAsync();
            await using var dark = await panel.ContextAsync(1280, 900, ColorScheme.Dark, state2);
            var darkPage = await panel.OpenAsync(dark, $"/procedures/{run}");
            var darkChart = darkPage.GetByTestId("iv-chart");
            await Expect(darkChart).ToHaveAttributeAsync("data-state", "ready");
            await Expect(darkPage.GetByRole(AriaRole.Button, new() { Name = "Light theme" })).ToBeVisibleAsync();
            var text = await darkPage.EvaluateAsync<string>("getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-text-primary').trim()");
            await Expect(darkChart).ToHaveAttributeAsync("data-axis-colour", text);
            Assert.True(Luminance(text) > 0.6, $"the dark theme's text colour {text} is light");
            await darkPage.WaitForTimeoutAsync(300); // MudBlazor's transitions
            await darkChart.ScreenshotAsync(new() { Path = Path.Combine(PanelScreenshotTests.Directory, "iv-chart-dark.png") });
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

    /// <summary>The relative luminance (0 black … 1 white) of a CSS colour as getComputedStyle gives it: rgb(…), rgba(…) or #rrggbb.</summary>
    private static double Luminance(string colour)
    {
        var channels = colour.StartsWith('#')
            ? [Convert.ToInt32(colour[1..3], 16), Convert.ToInt32(colour[3..5], 16), Convert.ToInt32(colour[5..7], 16)]
            : Regex.Matches(colour, @"[\d.]+").Take(3).Select(m => (int)double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return (0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]) / 255;
    }
}
