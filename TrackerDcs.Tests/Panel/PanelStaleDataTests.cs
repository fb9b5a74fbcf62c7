using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TrackerDcs.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// Stale data is marked as such (issue 20, item 4): a device that is not ready, and a panel that lost its connection
/// to the stand, say since when their values are not current, and no green "No active alarm" is shown meanwhile. The
/// stand is stopped and started here, so the test has its own; the shared stand's browser drives it.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class PanelStaleDataTests(PanelStand panel, ITestOutputHelper output)
{
    private static readonly LocatorAssertionsToContainTextOptions SoonContains = new() { Timeout = 20_000 };

    [Fact]
    public async Task A_lost_device_and_a_lost_stand_mark_the_values_not_current_and_the_panel_comes_back_by_itself()
    {
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Julabo:PollPeriod"] = "00:00:01",
            // Only the staleness is under test: the unplugged chiller's own alarm would replace "No active alarm" anyway.
            ["Alarms:DisconnectedAfter"] = "01:00:00",
            ["Alarms:SensorSilentAfter"] = "01:00:00",
        });
        await stand.StartAsync();
        await stand.WaitReadyAsync();
        var baseUrl = $"https://localhost:{stand.HttpsPort}";
        // Dark: the connection notice must be readable there too (it was white on white).
        await using var context = await panel.ContextAsync(1280, 900, ColorScheme.Dark);
        var page = await PanelStand.LoginAsync(context, baseUrl, "admin", StandProcess.AdminPassword, "/alarms");
        var allClear = page.GetByText("No active alarm", new() { Exact = true });
        var unknown = page.GetByText(new Regex(@"Alarm state unknown since \d\d:\d\d:\d\d UTC"));
        await Expect(allClear).ToBeVisibleAsync();
        await Expect(unknown).ToBeHiddenAsync();

        // A device that does not answer: its values are not current, since when it stopped answering.
        await stand.PostAsAdminAsync("/api/simulator/julabo/unplug");
        var notReady = page.GetByRole(AriaRole.Alert, new() { Name = "Not ready" });
        await Expect(notReady).ToContainTextAsync("julabo", SoonContains);
        await Expect(notReady).ToContainTextAsync(new Regex(@"since \d\d:\d\d:\d\d UTC"));
        await Expect(notReady).ToContainTextAsync("not current");
        await Expect(unknown).ToBeVisibleAsync();
        await Expect(allClear).ToBeHiddenAsync();
        await stand.PostAsAdminAsync("/api/simulator/julabo/plug");
        await Expect(notReady).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await Expect(allClear).ToBeVisibleAsync();

        // A second panel, light, on another page: the notice must read in both themes.
        await using var lightContext = await panel.ContextAsync(800, 900, ColorScheme.Light, await context.StorageStateAsync());
        var power = await lightContext.NewPageAsync();
        await power.GotoAsync($"{baseUrl}/power");
        await Expect(power.GetByRole(AriaRole.Heading, new() { Name = "Power (CAEN)" })).ToBeVisibleAsync(new() { Timeout = 20_000 });

        // The stand itself goes away: the page cannot be updated any more, so the browser says so, as of when.
        await stand.StopAsync();
        var lost = page.GetByRole(AriaRole.Alert, new() { Name = "Connection to the stand lost" });
        await Expect(lost).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(lost).ToContainTextAsync("not current");
        await Expect(lost).ToContainTextAsync(new Regex(@"as of \d\d:\d\d:\d\d UTC"));
        // Retried every few seconds, with the countdown shown (Blazor's default backs off to 30 s).
        await Expect(lost).ToContainTextAsync(new Regex(@"next attempt in [0-2] s"), SoonContains);
        await Expect(allClear).ToBeHiddenAsync();
        await Expect(unknown).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status, new() { Name = "Alarm summary" })).ToContainTextAsync("alarm state unknown");
        var powerLost = power.GetByRole(AriaRole.Alert, new() { Name = "Connection to the stand lost" });
        await Expect(powerLost).ToContainTextAsync(new Regex(@"as of \d\d:\d\d:\d\d UTC"), SoonContains);
        foreach (var (theme, shown) in new[] { ("dark", page), ("light", power) })
        {
            var contrast = await shown.EvaluateAsync<double>(ContrastScript, "#components-reconnect-modal");
            Assert.True(contrast >= 4.5, $"the connection notice's text has a contrast of {contrast:0.0}:1 in the {theme} theme (WCAG AA asks 4.5:1)");
            await shown.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), $"annunciator-feed-lost-{theme}.png") });
        }

        // Back: the page returns by itself, live again. The times are reported, not asserted (a loaded machine is slower).
        await stand.StartAsync();
        var clock = Stopwatch.StartNew();
        var ready = Task.Run(async () => { await stand.WaitReadyAsync(); return clock.Elapsed; });
        await Expect(lost).ToBeHiddenAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Alarms" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var live = clock.Elapsed;
        var reload = await page.EvaluateAsync<double>("performance.now()");
        await Expect(allClear).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var clear = clock.Elapsed;
        await Expect(powerLost).ToBeHiddenAsync(new() { Timeout = 30_000 });
        await Expect(power.GetByRole(AriaRole.Heading, new() { Name = "Power (CAEN)" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var readyAt = await ready;
        output.WriteLine($"after the restarted stand answered /healthz: panel live again at {live.TotalSeconds:0.0} s, stand ready (/readyz) at " +
            $"{readyAt.TotalSeconds:0.0} s, 'No active alarm' back at {clear.TotalSeconds:0.0} s; the reloaded page took {reload / 1000:0.0} s of that");
    }

    /// <summary>WCAG 2.1's contrast ratio between an element's text colour and the background it is drawn on.</summary>
    private const string ContrastScript = """
        selector => {
            const element = document.querySelector(selector);
            const rgb = c => c.match(/[\d.]+/g).slice(0, 3).map(Number);
            const luminance = c => {
                const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                return 0.2126 * r + 0.7152 * g + 0.0722 * b;
            };
            let node = element, background = 'rgba(0, 0, 0, 0)';
            while (node && /rgba\(.*, 0\)$/.test(background = getComputedStyle(node).backgroundColor)) node = node.parentElement;
            if (!node) background = 'rgb(255, 255, 255)';
            const [a, b] = [luminance(getComputedStyle(element).color), luminance(background)].sort((x, y) => y - x);
            return (a + 0.05) / (b + 0.05);
        }
        """;
}
