using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>The panel in Debian's Chromium against the real process on its simulators, controls found by role and label.</summary>
[Collection(PanelCollection.Name)]
public sealed class PanelEndToEndTests(PanelStand panel)
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 15_000 };

    [Fact]
    public async Task Login_shows_the_user_and_role_and_a_wrong_password_is_refused()
    {
        await using var context = await panel.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{panel.BaseUrl}/power");
        Assert.Contains("/login", page.Url);
        await page.GetByLabel("User name").FillAsync("operator");
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong user name or password");

        await page.GetByLabel("User name").FillAsync("operator");
        await page.GetByLabel("Password").FillAsync(PanelStand.OperatorPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/power"));
        await Expect(page.GetByLabel("Signed in as")).ToContainTextAsync("operator · operator");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Power (CAEN)" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Log out" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Logged out");
        await page.GotoAsync($"{panel.BaseUrl}/power");
        Assert.Contains("/login", page.Url);
    }

    [Fact]
    public async Task The_theme_chosen_with_the_button_is_kept_across_a_reload()
    {
        await using var context = await panel.ContextAsync(scheme: ColorScheme.Light);
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/power");
        const string Background = "getComputedStyle(document.body).backgroundColor";
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" })).ToBeVisibleAsync();
        var light = await page.EvaluateAsync<string>(Background);
        await ToggleThemeAsync(page, "Dark theme", "Light theme");
        var dark = await page.EvaluateAsync<string>(Background);
        Assert.NotEqual(light, dark);

        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Power (CAEN)" })).ToBeVisibleAsync();
        // The browser still prefers light; the choice wins, also on another page.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Light theme" })).ToBeVisibleAsync();
        await page.GotoAsync($"{panel.BaseUrl}/chiller");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Light theme" })).ToBeVisibleAsync();
        Assert.Equal(dark, await page.EvaluateAsync<string>(Background));

        await ToggleThemeAsync(page, "Light theme", "Dark theme");
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" })).ToBeVisibleAsync();
    }

    /// <summary>
    /// Clicks the theme button until it offers the other theme: the prerendered page shows the button before the
    /// circuit is connected, and a click that early is not handled.
    /// </summary>
    private static async Task ToggleThemeAsync(IPage page, string button, string then)
    {
        var target = page.GetByRole(AriaRole.Button, new() { Name = then });
        for (var deadline = DateTime.UtcNow.AddSeconds(15); !await target.IsVisibleAsync(); await Task.Delay(500))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the '{button}' button never switched the theme");
            await page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
        }
    }

    [Fact]
    public async Task The_login_form_needs_its_antiforgery_token_and_a_name_is_locked_out_after_repeated_failures()
    {
        using var client = panel.Stand.HttpClient();
        var forged = await client.PostAsync($"{panel.BaseUrl}/account/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Name"] = "admin", ["Password"] = Support.StandProcess.AdminPassword }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, forged.StatusCode);

        await panel.Stand.AddUserAsync("guesser", "viewer", "guesser-password-1");
        await using var context = await panel.ContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{panel.BaseUrl}/login");
        for (var i = 0; i <= TrackerDcs.Web.Security.Authenticator.FreeFailures; i++)
        {
            await page.GetByLabel("User name").FillAsync("guesser");
            await page.GetByLabel("Password").FillAsync($"wrong-{i}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong user name or password");
        }
        // Locked out now: even the right password is refused until the back-off ends.
        await page.GetByLabel("User name").FillAsync("guesser");
        await page.GetByLabel("Password").FillAsync("guesser-password-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("too many failed attempts");
        Assert.Contains("/login", page.Url);
    }

    [Fact]
    public async Task Operator_switches_LV_and_HV_with_confirmation_and_sees_a_refusal_of_the_state_machine()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/power");
        var crate = page.GetByLabel("Crate state");
        await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Channel 0 LV off" })).ToBeVisibleAsync();
        // HV on is not offered from LV_OFF, and says why on hover.
        var hvOn = page.GetByRole(AriaRole.Button, new() { Name = "HV on", Exact = true });
        await Expect(hvOn).ToBeDisabledAsync();
        Assert.Contains("HV can only be switched on from LV_ON", await Hover(hvOn));

        // A set point being typed survives the live updates of its row (LV ramping up meanwhile), then is sent.
        var lvSet2 = page.GetByLabel("LV set V of channel 2");
        await lvSet2.FillAsync("11.5");
        await page.GetByRole(AriaRole.Button, new() { Name = "LV on", Exact = true }).ClickAsync();
        await Expect(crate).ToHaveTextAsync("LV_ON", Soon);
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Channel 0 LV on" })).ToBeVisibleAsync();
        await Expect(lvSet2).ToHaveValueAsync("11.5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set LV of channel 2" }).ClickAsync();
        await Expect(page.GetByLabel("Channel 2 LV monitor")).ToContainTextAsync("11.50 V", new() { Timeout = 15_000 });

        // A second operator switches LV off while the first is confirming HV on: the bus refuses, with the state machine's reason.
        await hvOn.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Switch HV on?");
        var other = await panel.OpenAsync(context, "/power");
        await Expect(other.GetByLabel("Crate state")).ToHaveTextAsync("LV_ON", Soon);
        await other.GetByRole(AriaRole.Button, new() { Name = "LV off", Exact = true }).ClickAsync();
        await other.GetByRole(AriaRole.Button, new() { Name = "Switch LV off" }).ClickAsync();
        await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
        await other.CloseAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch HV on" }).ClickAsync();
        await Expect(page.GetByLabel("Command refused")).ToContainTextAsync("HV on refused: HV can only be switched on from LV_ON (crate is LV_OFF)");

        // Now in order: LV on, HV on confirmed, the crate ramps and settles.
        await page.GetByRole(AriaRole.Button, new() { Name = "LV on", Exact = true }).ClickAsync();
        await Expect(crate).ToHaveTextAsync("LV_ON", Soon);
        await hvOn.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch HV on" }).ClickAsync();
        await Expect(crate).ToHaveTextAsync("HV_RAMP", Soon);
        await Expect(crate).ToHaveTextAsync("HV_ON", new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Channel 0 HV on" })).ToBeVisibleAsync();
        var lvOff = page.GetByRole(AriaRole.Button, new() { Name = "LV off", Exact = true });
        await Expect(lvOff).ToBeDisabledAsync();
        Assert.Contains("LV can only be switched off when HV is off", await Hover(lvOff));

        // A set point above the board's rating is refused with its limit; the audit log has every command.
        await page.GetByLabel("HV set V of channel 1").FillAsync("1500");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set HV of channel 1" }).ClickAsync();
        await Expect(page.GetByLabel("Command refused")).ToContainTextAsync("above the boards' 1000 V");
        await page.GotoAsync($"{panel.BaseUrl}/audit");
        await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("dcs/cmd/switch/hv");
        await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync("refused: HV can only be switched on from LV_ON");

        // And back down, LV off confirmed: the next test finds the crate as it was.
        await page.GotoAsync($"{panel.BaseUrl}/power");
        await page.GetByRole(AriaRole.Button, new() { Name = "HV off", Exact = true }).ClickAsync();
        await Expect(crate).ToHaveTextAsync("LV_ON", new() { Timeout = 30_000 });
        await lvOff.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch LV off" }).ClickAsync();
        await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
    }

    [Fact]
    public async Task A_chiller_set_point_is_changed_and_the_bath_moves()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/chiller");
        var state = page.GetByLabel("Chiller state");
        await Expect(state).ToHaveTextAsync(new Regex("OFF|ON"), Soon);
        if (await state.TextContentAsync() == "ON")
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Stop", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Stop the chiller" }).ClickAsync();
            await Expect(state).ToHaveTextAsync("OFF", Soon);
        }
        // The band the unit guards by itself, as it holds it (Julabo:WarningLimitLow/High, written at connect).
        await Expect(page.GetByLabel("Warning limits")).ToHaveTextAsync("-35.00 °C … 30.00 °C", Soon);
        await page.GetByLabel("Set point 1 temperature").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set set point 1" }).ClickAsync();
        await Expect(page.GetByText("Set point 1: 5.00 °C")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Use set point 1" }).ClickAsync();
        var bath = page.GetByLabel("Bath temperature");
        await Expect(bath).ToHaveTextAsync(new Regex("°C"), Soon);
        var before = Celsius(await bath.TextContentAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Start", Exact = true }).ClickAsync();
        await Expect(state).ToHaveTextAsync("ON", Soon);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        double now;
        do
        {
            await Task.Delay(500);
            now = Celsius(await bath.TextContentAsync());
        } while (now > before - 0.5 && DateTime.UtcNow < deadline);
        Assert.True(now <= before - 0.5, $"the bath should cool from {before} °C toward 5 °C, but reads {now} °C");
    }

    [Fact]
    public async Task A_viewer_sees_everything_with_the_controls_disabled_and_why()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, "/power");
        await Expect(page.GetByLabel("Signed in as")).ToContainTextAsync("viewer · viewer");
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "module_0" })).ToBeVisibleAsync();
        foreach (var name in new[] { "LV on", "LV off", "HV on", "HV off", "Clear alarms", "Reconnect", "Reload configuration" })
        {
            var button = page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });
            await Expect(button).ToBeDisabledAsync();
            Assert.Contains("only operators and admins send commands", await Hover(button));
        }
        await Expect(page.GetByLabel("LV set V of channel 0")).ToBeDisabledAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Chiller" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start", Exact = true })).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Use set point 2" })).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_admin_adds_and_removes_a_user_and_an_operator_may_not()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "admin", Support.StandProcess.AdminPassword, "/users");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users and roles" })).ToBeVisibleAsync();
        await page.GetByLabel("New user name").FillAsync("alice");
        await page.GetByLabel("Password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        // Filtered by its text: the readiness banner may be an alert on the page too.
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "at least 8 characters" })).ToBeVisibleAsync();
        await page.GetByLabel("Password").FillAsync("alice-password-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "alice", Exact = true })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove alice" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Remove alice" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "alice", Exact = true })).ToHaveCountAsync(0);

        await using var operatorContext = await panel.ContextAsync();
        var operatorPage = await panel.LoginAsync(operatorContext, "operator", PanelStand.OperatorPassword, "/users");
        await Expect(operatorPage.GetByText("Your role may not open this page")).ToBeVisibleAsync();
        await Expect(operatorPage.GetByRole(AriaRole.Button, new() { Name = "Add user" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_lost_crate_shows_the_banner_and_its_commands_say_why_they_are_disabled()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/power");
        var crate = page.GetByLabel("Crate state");
        await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
        await Expect(page.GetByLabel("Not ready")).ToHaveCountAsync(0);
        await panel.Stand.PostAsAdminAsync("/api/simulator/caen/ioc/stop");
        try
        {
            await Expect(page.GetByLabel("Not ready")).ToContainTextAsync("driver caen DISCONNECTED", new() { Timeout = 15_000 });
            await Expect(crate).ToHaveTextAsync("DISCONNECTED");
            var hvOff = page.GetByRole(AriaRole.Button, new() { Name = "HV off", Exact = true });
            await Expect(hvOff).ToBeDisabledAsync();
            Assert.Contains("cannot command HV: the crate is not reachable", await Hover(hvOff));
        }
        finally
        {
            await panel.Stand.PostAsAdminAsync("/api/simulator/caen/ioc/start");
        }
        await Expect(page.GetByLabel("Not ready")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
    }

    /// <summary>The text shown on hover of a control: the title of its wrapper.</summary>
    private static async Task<string> Hover(ILocator control) =>
        await control.Locator("xpath=ancestor::*[@title][1]").GetAttributeAsync("title") ?? "";

    private static double Celsius(string? text) =>
        double.Parse(Regex.Match(text ?? "", @"-?\d+(\.\d+)?").Value, CultureInfo.InvariantCulture);
}
