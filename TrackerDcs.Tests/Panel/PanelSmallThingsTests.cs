using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TrackerDcs.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// Issue 20, item 10: neutral command buttons, reasons written beside disabled controls, a read-only notice for
/// viewers, columns that keep their place, labelled overview lights, units on sensor readings, audit search by action.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class PanelSmallThingsTests(PanelStand panel)
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 20_000 };
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    [Fact]
    public async Task A_viewer_is_told_the_panel_is_read_only_and_an_admin_is_not()
    {
        await using var viewer = await panel.ContextAsync();
        var page = await panel.LoginAsync(viewer, "viewer", PanelStand.ViewerPassword, "/power");
        await Expect(page.GetByRole(AriaRole.Status, new() { Name = "Read-only" })).ToContainTextAsync("read-only");

        await using var admin = await panel.ContextAsync();
        var adminPage = await panel.LoginAsync(admin, "admin", StandProcess.AdminPassword, "/power");
        await Expect(adminPage.GetByLabel("Crate state")).ToBeVisibleAsync();
        await Expect(adminPage.GetByRole(AriaRole.Status, new() { Name = "Read-only" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_disabled_hv_on_says_why_beside_it_and_command_buttons_are_not_coloured_as_lights()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/power");
        await Expect(page.GetByLabel("Crate state")).ToHaveTextAsync("LV_OFF", Soon);
        var hvOn = page.GetByRole(AriaRole.Button, new() { Name = "HV on", Exact = true });
        await Expect(hvOn).ToBeDisabledAsync();
        // Written on the page beside the button, not only in a hover title: keyboard and touch users read it too, and
        // a screen reader hears it as the button's description.
        var reason = page.Locator("span.guarded", new() { Has = hvOn }).Locator(".guarded-reason");
        await Expect(reason).ToBeVisibleAsync();
        await Expect(reason).ToHaveTextAsync("HV can only be switched on from LV_ON (crate is LV_OFF)");
        await Expect(hvOn).ToHaveAccessibleDescriptionAsync("HV can only be switched on from LV_ON (crate is LV_OFF)");
        // Commands are neutral buttons: green and orange belong to the state chip and the lights.
        foreach (var name in new[] { "LV on", "LV off", "HV on", "HV off" })
        {
            var button = page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });
            await Expect(button).Not.ToHaveClassAsync(new Regex(@"mud-button-(filled|outlined|text)-(success|warning|error)"));
        }
    }

    [Fact]
    public async Task A_viewers_set_v_fields_and_chiller_set_points_say_beside_them_why_they_are_disabled()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/power");
        await Expect(page.GetByLabel("Crate state")).ToBeVisibleAsync();
        foreach (var field in new[] { "LV set V of channel 0", "HV set V of channel 0", "LV set V of channel 3", "HV set V of channel 3" })
            await ExpectReasonBesideAsync(page, page.GetByLabel(field, new() { Exact = true }), "read-only");

        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "reasons-power-viewer.png") });
        await page.GetByRole(AriaRole.Link, new() { Name = "Chiller", Exact = true }).ClickAsync();
        foreach (var setpoint in new[] { 1, 2, 3 })
            await ExpectReasonBesideAsync(page, page.GetByLabel($"Set point {setpoint} temperature"), "read-only");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "reasons-chiller-viewer.png") });
    }

    [Fact]
    public async Task An_unplugged_chillers_controls_say_beside_them_why_they_are_disabled()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/chiller");
        var state = page.GetByLabel("Chiller state");
        await Expect(state).ToHaveTextAsync(new Regex("^(ON|OFF)$"), Soon);
        await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/unplug");
        try
        {
            await Expect(state).ToHaveTextAsync("DISCONNECTED", Soon);
            foreach (var (button, reason) in new[]
            {
                ("Start", "start is not allowed while the chiller is DISCONNECTED (allowed in OFF)"),
                ("Stop", "stop is not allowed while the chiller is DISCONNECTED (allowed in ON, ERROR)"),
            })
            {
                var control = page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true });
                await Expect(page.Locator("span.guarded", new() { Has = control }).Locator(".guarded-reason")).ToHaveTextAsync(reason);
            }
            // A set point's row says it once, beside its field; its Set and Use buttons do not repeat it.
            const string configure = "configure is not allowed while the chiller is DISCONNECTED (allowed in CONNECTED, OFF, ON, ERROR)";
            foreach (var setpoint in new[] { 1, 2, 3 })
            {
                await ExpectReasonBesideAsync(page, page.GetByLabel($"Set point {setpoint} temperature"), configure);
                var row = page.GetByRole(AriaRole.Group, new() { Name = $"Set point {setpoint}", Exact = true });
                await Expect(row.GetByText(configure, new() { Exact = true })).ToHaveCountAsync(1);
            }
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "reasons-chiller-unplugged.png") });
        }
        finally
        {
            await panel.Stand.PostAsAdminAsync("/api/simulator/julabo/plug");
            await Expect(state).ToHaveTextAsync(new Regex("^(ON|OFF)$"), new() { Timeout = 30_000 });
        }
    }

    [Fact]
    public async Task The_overview_shows_each_channels_v_and_i_beside_its_lights()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/");
        foreach (var id in new[] { "0", "1", "2", "3" })
        {
            var channel = page.GetByRole(AriaRole.Group, new() { Name = $"Channel {id} at a glance" });
            await Expect(channel).ToContainTextAsync(new Regex(@"LV\s*-?\d+\.\d\d V\s*-?\d+\.\d{3} A"));
            await Expect(channel).ToContainTextAsync(new Regex(@"HV\s*-?\d+\.\d V\s*-?\d+\.\d{3} µA"));
        }
    }

    [Fact]
    public async Task Sensor_readings_carry_their_units()
    {
        // A box as the seed's ESP boxes publish: a temperature, a humidity and a pressure, each a bare number. Dry air (a
        // dew point near -20 °C), so that the box raises no dew-point alarm into other tests while the chiller is cold.
        foreach (var (quantity, value) in new[] { ("temp", "21.5"), ("humi", "5"), ("pres", "963.2") })
            await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-t", $"ESP07/sensors/BME/{quantity}", "-m", value]);
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/sensors");
        var readings = page.GetByLabel("Readings of ESP07").Locator("td");
        await Expect(readings.Filter(new() { HasText = "hPa" })).ToHaveCountAsync(1);
        foreach (var text in await readings.AllTextContentsAsync())
            Assert.Matches(new Regex(@"^-?\d+(\.\d+)? (°C|%|hPa)$"), text.Trim());
    }

    [Fact]
    public async Task The_power_table_columns_stay_in_place_when_the_status_changes()
    {
        await using var context = await panel.ContextAsync(1280, 900);
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/power");
        var crate = page.GetByLabel("Crate state");
        await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
        var before = await ColumnsAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "LV on", Exact = true }).ClickAsync();
        try
        {
            await Expect(crate).ToHaveTextAsync("LV_ON", Soon);
            Assert.Equal(before, await ColumnsAsync(page));
            // HV ramping: the longest status words ("on, ramping up") and the monitors' widest numbers.
            await page.GetByRole(AriaRole.Button, new() { Name = "HV on", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Switch HV on" }).ClickAsync();
            await Expect(crate).ToHaveTextAsync(new Regex("HV_RAMP|HV_ON"), Soon);
            Assert.Equal(before, await ColumnsAsync(page));
        }
        finally
        {
            await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/switch/hv", "-m", "off"]);
            await Expect(crate).ToHaveTextAsync("LV_ON", new() { Timeout = 30_000 });
            await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "off"]);
            await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
        }
    }

    [Fact]
    public async Task The_audit_log_is_searched_by_action()
    {
        // Two actions for the log that leave the crate as it is: HV on from LV_OFF (refused) and LV off (already off).
        await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/switch/hv", "-m", "on"]);
        await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "off"]);
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/audit");
        await page.GetByLabel("Action or topic contains").FillAsync("HV on");
        var actions = page.GetByLabel("Commands").Locator("td[data-label=Action]");
        await Expect(actions.First).ToHaveTextAsync("HV on", Soon);
        Assert.All(await actions.AllTextContentsAsync(), a => Assert.Equal("HV on", a.Trim()));
        // A topic still finds its commands.
        await page.GetByLabel("Action or topic contains").FillAsync("switch/lv");
        await Expect(actions.Filter(new() { HasText = "LV off" }).First).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData(ColorScheme.Dark, null)]
    [InlineData(ColorScheme.Light, "dark")]
    public async Task A_dark_page_is_dark_before_blazor_starts(ColorScheme scheme, string? stored)
    {
        await using var context = await panel.ContextAsync(scheme: scheme);
        if (stored is not null) await context.AddInitScriptAsync($"localStorage.setItem('trackerdcs.theme', '{stored}')");
        // Without Blazor the page stays as it is first painted: MudBlazor's theme never arrives.
        await context.RouteAsync("**/_framework/blazor.web.js", route => route.AbortAsync());
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{panel.BaseUrl}/login");
        Assert.Equal("rgb(50, 51, 61)", await page.EvaluateAsync<string>("getComputedStyle(document.documentElement).backgroundColor"));
    }

    /// <summary>
    /// The field is disabled and its reason is on the page, visible without hovering: the element that describes the
    /// field (aria-describedby, what a screen reader says with it) shows the reason.
    /// </summary>
    private static async Task ExpectReasonBesideAsync(IPage page, ILocator field, string reason)
    {
        await Expect(field).ToBeDisabledAsync();
        var described = await field.GetAttributeAsync("aria-describedby");
        Assert.False(string.IsNullOrEmpty(described), "the field has no aria-describedby");
        var written = page.Locator(string.Join(", ", described.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(id => $"[id='{id}']")))
            .Filter(new() { HasText = reason });
        await Expect(written).ToBeVisibleAsync();
        await Expect(written).ToHaveTextAsync(reason);
    }

    /// <summary>The left edges of the channel 3 row's set-V inputs, rounded to whole pixels.</summary>
    private static async Task<(int Lv, int Hv)> ColumnsAsync(IPage page)
    {
        var lv = (await page.GetByLabel("LV set V of channel 3").BoundingBoxAsync())!;
        var hv = (await page.GetByLabel("HV set V of channel 3").BoundingBoxAsync())!;
        return ((int)Math.Round(lv.X), (int)Math.Round(hv.X));
    }
}
