using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TrackerDcs.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// Issue 20 (the panel on a night shift), findings 3, 5, 6 and 7, in Chromium against the real process: where a set
/// point came from, result files with the panel's login, Enter and pending inputs, the Runs form kept, and
/// confirmations that say the consequence with Cancel as the default.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class PanelNightShiftTests(PanelStand panel)
{
    private static readonly LocatorAssertionsToHaveTextOptions Soon = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToContainTextOptions SoonContains = new() { Timeout = 20_000 };
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    [Fact]
    public async Task Enter_in_a_set_V_field_sends_it_and_the_page_says_where_each_set_point_came_from()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/power");
        await Expect(page.GetByLabel("Crate state")).ToHaveTextAsync(new Regex("LV_OFF|LV_ON"), Soon);
        // Channel 2's HV: the one set point no other test on this shared stand changes (a procedure's scan sets channel 0's).
        await Expect(page.GetByLabel("Channel 2 HV set point origin")).ToHaveTextAsync("from channels.yml");

        var field = page.GetByLabel("LV set V of channel 3");
        await field.FillAsync("11.8");
        // Typed, not sent: the field says so, and nothing has changed yet.
        await Expect(page.GetByText("not sent: Enter or ✓")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Channel 3 LV set point origin")).ToHaveTextAsync("from channels.yml");

        await field.PressAsync("Enter");
        await Expect(page.GetByLabel("Channel 3 LV set point origin")).ToHaveTextAsync(new Regex(@"^set by operator \d\d:\d\d:\d\d UTC$"), Soon);
        await Expect(field).ToHaveValueAsync("");
        await Expect(field).ToHaveAttributeAsync("placeholder", "11.8");
        await Expect(page.GetByText("not sent: Enter or ✓")).ToBeHiddenAsync();
        // The crate has it: the retained channel object carries the read-back V0Set.
        var channel = await Mosquitto.SubAsync(panel.Stand.MqttPort, [.. Admin, "-t", "dcs/channels/3", "-C", "1", "-W", "10"]);
        Assert.Equal(11.8, JsonDocument.Parse(channel.Stdout).RootElement.GetProperty("lv_setV").GetDouble());
    }

    [Fact]
    public async Task Hv_on_lists_each_channel_with_its_target_and_enter_cancels()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/power");
        var crate = page.GetByLabel("Crate state");
        await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
        await page.GetByRole(AriaRole.Button, new() { Name = "LV on", Exact = true }).ClickAsync();
        await Expect(crate).ToHaveTextAsync("LV_ON", Soon);
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "HV on", Exact = true }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Expect(dialog).ToContainTextAsync("Switch HV on?");
            var items = dialog.GetByLabel("What the command changes");
            foreach (var id in new[] { "0", "1", "2", "3" })
                await Expect(items).ToContainTextAsync(new Regex($@"Channel {id} \(module_{id}\): \d+(\.\d)? V, (from channels\.yml|set by [^,]+? [\d: -]+UTC)"));
            await Expect(items).ToContainTextAsync("Channel 2 (module_2): 200 V, from channels.yml");
            await EnterDoesNotConfirmAsync(page, dialog);
            await Expect(crate).ToHaveTextAsync("LV_ON");

            // LV off is confirmed the same way, listing the channels it switches off.
            await page.GetByRole(AriaRole.Button, new() { Name = "LV off", Exact = true }).ClickAsync();
            await Expect(dialog.GetByLabel("What the command changes")).ToContainTextAsync("Channel 3 (module_3)");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Switch LV off" }).ClickAsync();
            await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
            // The audit is in order: the LV on and off of this test are its newest entries, with no HV command between.
            var audit = await panel.Stand.GetAsAdminAsync("/api/audit?limit=2");
            Assert.Equal(2, Regex.Count(audit, "dcs/cmd/switch/lv"));
        }
        finally
        {
            await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "off"]);
        }
    }

    [Fact]
    public async Task Chiller_stop_asks_and_with_hv_on_says_what_happens_to_it()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/power");
        var crate = page.GetByLabel("Crate state");
        await Expect(crate).ToHaveTextAsync("LV_OFF", Soon);
        await page.GetByRole(AriaRole.Button, new() { Name = "LV on", Exact = true }).ClickAsync();
        await Expect(crate).ToHaveTextAsync("LV_ON", Soon);
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "HV on", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Switch HV on" }).ClickAsync();
            await Expect(crate).ToHaveTextAsync(new Regex("HV_RAMP|HV_ON"), Soon);

            await page.GotoAsync($"{panel.BaseUrl}/chiller");
            var state = page.GetByLabel("Chiller state");
            await Expect(state).ToHaveTextAsync(new Regex("^(OFF|ON)$"), Soon);
            if (await state.TextContentAsync() == "OFF")
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "Start", Exact = true }).ClickAsync();
                await Expect(state).ToHaveTextAsync("ON", Soon);
            }
            await page.GetByRole(AriaRole.Button, new() { Name = "Stop", Exact = true }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Expect(dialog).ToContainTextAsync("Stop the chiller?");
            // This stand runs without interlock rules: the dialog says that nothing will switch HV off.
            await Expect(dialog.GetByLabel("Consequence")).ToHaveTextAsync(
                "HV is on, and no interlock switches it off when the chiller stops: the modules stay biased without cooling.");
            await EnterDoesNotConfirmAsync(page, dialog);
            await Expect(state).ToHaveTextAsync("ON");

            await page.GetByRole(AriaRole.Button, new() { Name = "Stop", Exact = true }).ClickAsync();
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Stop the chiller" }).ClickAsync();
            await Expect(state).ToHaveTextAsync("OFF", Soon);
            // One stop only, the confirmed one: Enter sent none (the audit's newest entries).
            Assert.Equal(1, Regex.Count(await panel.Stand.GetAsAdminAsync("/api/audit?limit=3"), "cmd/stop"));
        }
        finally
        {
            await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/switch/hv", "-m", "off"]);
            await Expect(crate).ToHaveTextAsync("LV_ON", new() { Timeout = 30_000 }).ContinueWith(_ => { });
            await Mosquitto.PubAsync(panel.Stand.MqttPort, [.. Admin, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "off"]);
        }
    }

    [Fact]
    public async Task A_chiller_set_point_stays_typed_and_pending_until_the_unit_reads_it_back()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/chiller");
        var shown = page.GetByText(new Regex(@"^Set point 2: "));
        await Expect(shown).ToContainTextAsync("°C", SoonContains);
        var target = (await shown.TextContentAsync())!.Contains("7.50 °C") ? "8.25" : "7.5";
        var readBack = target == "7.5" ? "7.50 °C" : "8.25 °C";
        var input = page.GetByLabel("Set point 2 temperature");
        await input.FillAsync(target);
        // Watches the page from now on: the typed value may never vanish before the display shows it (the old panel
        // cleared it at once and said "done" seconds before the unit had it).
        await page.EvaluateAsync("""
            ([readBack]) => {
                window.__lostInput = false;
                window.__sawPending = false;
                const input = document.querySelector('input[aria-label="Set point 2 temperature"]');
                const watch = () => {
                    const text = [...document.querySelectorAll('p, span, div')].find(e => e.textContent.startsWith('Set point 2: '))?.textContent ?? '';
                    if (document.querySelector('[aria-label="Set point 2 pending"]')) window.__sawPending = true;
                    if (input.value === '' && !text.includes(readBack)) window.__lostInput = true;
                    if (!text.includes(readBack) || input.value !== '') requestAnimationFrame(watch);
                };
                watch();
            }
            """, new[] { readBack });
        await page.GetByRole(AriaRole.Button, new() { Name = "Set set point 2" }).ClickAsync();
        await Expect(page.GetByText("Set point 2 to")).ToContainTextAsync("sent, waiting for the unit's read-back", SoonContains);
        await Expect(shown).ToContainTextAsync(readBack, SoonContains);
        await Expect(input).ToHaveValueAsync("", new() { Timeout = 20_000 });
        await Expect(page.GetByLabel("Set point 2 pending")).ToBeHiddenAsync();
        Assert.False(await page.EvaluateAsync<bool>("window.__lostInput"), "the typed set point was cleared before the unit read it back");
    }

    [Fact]
    public async Task The_runs_form_keeps_what_was_chosen_when_the_operator_visits_another_page()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword, "/runs");
        await page.GetByLabel("Calibration").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "lv-test" }).ClickAsync();
        await page.GetByLabel("Comment").FillAsync("night shift, module 2 retest");
        await page.GetByLabel("Comment").PressAsync("Tab");

        // Through the menu: the same browser session, another page, and back.
        await page.GetByRole(AriaRole.Link, new() { Name = "Power" }).ClickAsync();
        await Expect(page.GetByLabel("Crate state")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Runs" }).ClickAsync();
        await Expect(page.GetByLabel("Comment")).ToHaveValueAsync("night shift, module 2 retest", new() { Timeout = 15_000 });
        // The calibration is kept too: the start button now lacks only the modules.
        var start = page.Locator("span.guarded", new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Start run" }) });
        await Expect(start).ToHaveAttributeAsync("title", "choose the modules");
    }

    [Fact]
    public async Task A_viewer_opens_a_result_file_from_the_run_page_with_the_panel_login()
    {
        var run = await panel.FinishedRunAsync("cookie download");

        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, $"/runs/{run}");
        var link = page.GetByRole(AriaRole.Link, new() { Name = $"Results_Run{run}.txt" });
        var file = await page.RunAndWaitForPopupAsync(() => link.ClickAsync());
        await file.WaitForLoadStateAsync();
        Assert.Contains("pedestal 42.0", await file.Locator("body").TextContentAsync());
        Assert.Contains("/api/runs/", file.Url);

        // Reads only: the same cookie does not authenticate an /api POST, and without it /api still asks for Basic.
        var post = await context.APIRequest.PostAsync($"{panel.BaseUrl}/api/simulator/julabo/clear");
        Assert.Equal(401, post.Status);
        using var http = panel.Stand.HttpClient();
        var anonymous = await http.GetAsync($"{panel.BaseUrl}/api/runs/{run}");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
    }

    /// <summary>
    /// The old dialogs had the confirming button as the default, so Enter confirmed. Now Cancel comes first (and is
    /// given the focus): Enter either cancels or does nothing; the dialog is then closed with Cancel if still open.
    /// </summary>
    private static async Task EnterDoesNotConfirmAsync(IPage page, ILocator dialog)
    {
        // Cancel comes first and holds the focus, so Enter (or a stray keypress) cancels.
        var buttons = dialog.GetByRole(AriaRole.Button);
        await Expect(buttons.First).ToHaveTextAsync("Cancel");
        await Expect(buttons.First).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog).ToBeHiddenAsync();
    }
}
