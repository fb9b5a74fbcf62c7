using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TrackerDcs.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// The annunciator in the app bar, the major-alarm banner and the tab title: a major alarm is seen from every page,
/// not only from Alarms (issue 20, item 1).
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class PanelAnnunciatorTests(PanelStand panel)
{
    private static readonly LocatorAssertionsToContainTextOptions SoonContains = new() { Timeout = 20_000 };
    private static readonly PageGetByRoleOptions NewestMajor = new() { NameRegex = new Regex("^Newest major alarm: .*LOW LIQUID LEVEL") };

    [Fact]
    public async Task A_chiller_fault_is_announced_on_every_page_until_acknowledged_from_alarms()
    {
        await using var context = await panel.ContextAsync(1920, 900);
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/runs");
        var summary = page.GetByRole(AriaRole.Status, new() { Name = "Alarm summary" });
        await Expect(summary).ToContainTextAsync(new Regex(@"\d+ major"), SoonContains);

        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        try
        {
            // Live on the page already open, without a reload.
            await Expect(summary).ToContainTextAsync("1 major", SoonContains);
            foreach (var (path, heading) in new[] { ("/runs", "Calibration runs (Ph2_ACF)"), ("/audit", "Audit log"), ("/chiller", "Chiller (Julabo)"), ("/sensors", "Sensor boxes") })
            {
                await page.GotoAsync($"{panel.BaseUrl}{path}");
                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading })).ToBeVisibleAsync();
                await Expect(summary).ToContainTextAsync("1 major", SoonContains);
                await Expect(summary).ToContainTextAsync("1 not acknowledged");
                await Expect(page.GetByRole(AriaRole.Link, NewestMajor)).ToBeVisibleAsync();
                await Expect(page.GetByRole(AriaRole.Alert, new() { Name = "Major alarm not acknowledged" })).ToContainTextAsync("LOW LIQUID LEVEL");
                await Expect(page).ToHaveTitleAsync(new Regex(@"^\(1\) .+ · TrackerDcs$"));
            }

            // One click from the app bar to the alarm's guidance; acknowledged there, the banner and the count go.
            await page.GetByRole(AriaRole.Link, NewestMajor).ClickAsync();
            await page.WaitForURLAsync(url => url.EndsWith("/alarms"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge julabo.fault:julabo" }).ClickAsync();
            await Expect(summary).ToContainTextAsync("0 not acknowledged", SoonContains);
            await Expect(page.GetByRole(AriaRole.Alert, new() { Name = "Major alarm not acknowledged" })).ToHaveCountAsync(0);
            await Expect(page).ToHaveTitleAsync("Alarms · TrackerDcs");
            // Still active (acknowledged, not cleared): counted, and the title follows another page's own.
            await Expect(summary).ToContainTextAsync("1 major");
            await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
            await Expect(page).ToHaveTitleAsync("Audit · TrackerDcs");
        }
        finally
        {
            await panel.ClearChillerAlarmAsync();
        }
    }

    [Fact]
    public async Task The_annunciator_fits_the_app_bar_at_800_and_1920_px_in_both_themes()
    {
        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL%20AND%20A%20LONG%20TEXT%20THAT%20WOULD%20WIDEN%20THE%20BAR");
        try
        {
            await using var login = await panel.ContextAsync();
            await panel.LoginAsync(login, "viewer", PanelStand.ViewerPassword, "/chiller");
            var state = await login.StorageStateAsync();
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
                foreach (var width in new[] { 800, 1920 })
                {
                    await using var context = await panel.ContextAsync(width, 900, scheme, state);
                    var page = await panel.OpenAsync(context, "/chiller");
                    var summary = page.GetByRole(AriaRole.Status, new() { Name = "Alarm summary" });
                    await Expect(summary).ToContainTextAsync("1 major", SoonContains);
                    await Expect(summary.GetByText("1", new() { Exact = true }).First).ToBeVisibleAsync();
                    await Expect(page.GetByRole(AriaRole.Alert, new() { Name = "Major alarm not acknowledged" })).ToBeVisibleAsync();
                    var message = page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Newest major alarm") });
                    if (width == 800)
                    {
                        // Collapsed to the counts: the message stays in the banner below the bar.
                        await Expect(message).ToBeHiddenAsync();
                        var overflow = await page.EvaluateAsync<int>("(() => { const b = document.querySelector('.mud-appbar .mud-toolbar'); return b.scrollWidth - b.clientWidth; })()");
                        Assert.True(overflow <= 0, $"the app bar is {overflow} px wider than the 800 px window");
                    }
                    else await Expect(message).ToBeVisibleAsync();
                    var theme = scheme == ColorScheme.Dark ? "dark" : "light";
                    await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), $"annunciator-chiller-{theme}-{width}.png") });
                }
        }
        finally
        {
            await panel.ClearChillerAlarmAsync();
        }
    }

    [Fact]
    public async Task The_alarm_sound_is_off_until_switched_on_remembered_and_sounds_for_a_new_major_alarm()
    {
        await using var context = await panel.ContextAsync(1280, 900);
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/sensors");
        var off = page.GetByRole(AriaRole.Button, new() { Name = "Alarm sound off" });
        await Expect(off).ToBeVisibleAsync();
        await Expect(off).ToHaveAttributeAsync("aria-pressed", "false");
        // Keyboard reachable: focused and switched with the keyboard, as a mouse-less control-room screen would.
        await off.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var on = page.GetByRole(AriaRole.Button, new() { Name = "Alarm sound on" });
        await Expect(on).ToHaveAttributeAsync("aria-pressed", "true");

        await page.ReloadAsync();
        await Expect(on).ToBeVisibleAsync();
        // A reloaded page may sound only after a click or key in it (the browsers' autoplay policy): the shifter's first click.
        await page.GetByRole(AriaRole.Heading, new() { Name = "Sensor boxes" }).ClickAsync();
        await panel.ClearChillerAlarmAsync();
        var before = await TonesAsync(page);
        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        try
        {
            await Expect(page.GetByRole(AriaRole.Status, new() { Name = "Alarm summary" })).ToContainTextAsync("1 major", SoonContains);
            await page.WaitForFunctionAsync($"window.trackerDcs.annunciator.tones > {before}");

            await on.ClickAsync();
            await Expect(off).ToHaveAttributeAsync("aria-pressed", "false");
            Assert.Equal("off", await page.EvaluateAsync<string>("localStorage.getItem('trackerdcs.alarm-sound')"));
        }
        finally
        {
            await panel.ClearChillerAlarmAsync();
        }
    }

    /// <summary>
    /// The page's Notification, replaced before any script of the page runs: each notification it would show is recorded
    /// (a headless browser shows none), and so is each request for permission; the permission is the browser's own.
    /// </summary>
    private const string RecordNotifications = """
        window.__notified = [];
        window.__permissionRequests = 0;
        const browsers = window.Notification;
        class Recorded {
            constructor(title, options) { window.__notified.push({ title, body: (options && options.body) || '' }); }
            close() {}
        }
        Object.defineProperty(Recorded, 'permission', { get: () => browsers ? browsers.permission : 'default' });
        Recorded.requestPermission = () => {
            window.__permissionRequests++;
            // A browser whose user blocked the panel's notifications answers 'denied' without asking.
            if (localStorage.getItem('test.notifications-blocked') === 'yes') return Promise.resolve('denied');
            return browsers ? browsers.requestPermission() : Promise.resolve('denied');
        };
        window.Notification = Recorded;
        """;

    [Fact]
    public async Task Alarm_notifications_are_off_until_switched_on_asked_for_then_remembered_and_shown_for_a_new_major_alarm()
    {
        await using var context = await panel.ContextAsync(1280, 900);
        await context.GrantPermissionsAsync(["notifications"], new() { Origin = panel.BaseUrl });
        await context.AddInitScriptAsync(RecordNotifications);
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/sensors");
        var off = page.GetByRole(AriaRole.Button, new() { Name = "Alarm notifications off" });
        await Expect(off).ToBeVisibleAsync();
        await Expect(off).ToHaveAttributeAsync("aria-pressed", "false");
        // Nobody is asked for a permission they did not want to give: not at login, not on opening a page.
        Assert.Equal(0, await page.EvaluateAsync<int>("window.__permissionRequests"));

        await off.ClickAsync();
        var on = page.GetByRole(AriaRole.Button, new() { Name = "Alarm notifications on" });
        await Expect(on).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal(1, await page.EvaluateAsync<int>("window.__permissionRequests"));
        Assert.Equal("on", await page.EvaluateAsync<string>("localStorage.getItem('trackerdcs.alarm-notifications')"));

        // Remembered in this browser, and not asked again.
        await page.ReloadAsync();
        await Expect(on).ToBeVisibleAsync();
        await Expect(on).ToHaveAttributeAsync("aria-pressed", "true");
        await panel.ClearChillerAlarmAsync();
        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/alarm?code=-7&text=LOW%20LIQUID%20LEVEL");
        try
        {
            await Expect(page.GetByRole(AriaRole.Status, new() { Name = "Alarm summary" })).ToContainTextAsync("1 major", SoonContains);
            await page.WaitForFunctionAsync("window.__notified.some(n => n.body.includes('LOW LIQUID LEVEL'))", null, new() { Timeout = 20_000 });
            var shown = await page.EvaluateAsync<string[]>("window.__notified.map(n => n.title)");
            Assert.Equal(["TrackerDcs: major alarm"], shown);
            Assert.Equal(0, await page.EvaluateAsync<int>("window.__permissionRequests"));

            await on.ClickAsync();
            await Expect(off).ToHaveAttributeAsync("aria-pressed", "false");
            Assert.Equal("off", await page.EvaluateAsync<string>("localStorage.getItem('trackerdcs.alarm-notifications')"));
        }
        finally
        {
            await panel.ClearChillerAlarmAsync();
        }
    }

    [Fact]
    public async Task A_browser_that_blocks_notifications_leaves_the_switch_off_and_says_so()
    {
        await using var context = await panel.ContextAsync(1280, 900);
        await context.AddInitScriptAsync("localStorage.setItem('test.notifications-blocked', 'yes')");
        await context.AddInitScriptAsync(RecordNotifications);
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/sensors");
        var off = page.GetByRole(AriaRole.Button, new() { Name = "Alarm notifications off" });
        await off.ClickAsync();
        // Said on the page (a snackbar), not only in the switch's tooltip.
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "this browser blocks them for the panel" })).ToBeVisibleAsync();
        await Expect(off).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Equal(1, await page.EvaluateAsync<int>("window.__permissionRequests"));
        Assert.Equal("off", await page.EvaluateAsync<string>("localStorage.getItem('trackerdcs.alarm-notifications')"));
    }

    private static Task<int> TonesAsync(IPage page) => page.EvaluateAsync<int>("window.trackerDcs.annunciator.tones");

}
