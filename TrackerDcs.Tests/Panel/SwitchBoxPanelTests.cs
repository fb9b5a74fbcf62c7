using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// The switch box's page in Chromium against the stand's simulated box (serial, in the process): LV on and a channel
/// switched on through the buttons; what the rules refuse is a disabled button whose hover names the rule.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class SwitchBoxPanelTests(PanelStand panel)
{
    [Fact]
    public async Task Operator_switches_LV_and_a_channel_through_the_buttons_and_sees_the_rules_refuse()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Switch box", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Switch box" })).ToBeVisibleAsync();
        var state = page.GetByLabel("Switch box state");
        await Expect(state).ToHaveTextAsync("LV_OFF");
        await Expect(page.GetByLabel("Switch box rules")).ToContainTextAsync("hv-needs-lv");
        await Expect(page.GetByLabel("Switch box channels").GetByRole(AriaRole.Button)).ToHaveCountAsync(48);

        // HV needs LV: refused before anything reaches the box, the rule on hover.
        var hvOn = page.GetByRole(AriaRole.Button, new() { Name = "HV on", Exact = true });
        await Expect(hvOn).ToBeDisabledAsync();
        await Expect(page.Locator("span.guarded", new() { Has = hvOn })).ToHaveAttributeAsync("title", new Regex("hv-needs-lv"));

        await page.GetByRole(AriaRole.Button, new() { Name = "LV on", Exact = true }).ClickAsync();
        await Expect(state).ToHaveTextAsync("LV_ON");
        await Expect(page.GetByLabel("LV", new() { Exact = true })).ToHaveTextAsync("on");

        await page.GetByRole(AriaRole.Button, new() { Name = "Channel 3 off", Exact = true }).ClickAsync();
        var channel3 = page.GetByRole(AriaRole.Button, new() { Name = "Channel 3 on", Exact = true });
        await Expect(channel3).ToBeEnabledAsync();
        await Expect(page.GetByLabel("Channels enabled")).ToContainTextAsync("1 of at most");

        // With HV on the channels and LV off are refused, each naming its rule.
        await Expect(hvOn).ToBeEnabledAsync();
        await hvOn.ClickAsync();
        await Expect(state).ToHaveTextAsync("HV_ON");
        await Expect(channel3).ToBeDisabledAsync();
        await Expect(page.Locator("span.guarded", new() { Has = channel3 })).ToHaveAttributeAsync("title", new Regex("channels-need-hv-off"));
        var lvOff = page.GetByRole(AriaRole.Button, new() { Name = "LV off", Exact = true });
        await Expect(lvOff).ToBeDisabledAsync();
        await Expect(page.Locator("span.guarded", new() { Has = lvOff })).ToHaveAttributeAsync("title", new Regex("lv-off-needs-hv-off"));

        // Back to LV_OFF with no channel for the other tests of this stand.
        await page.GetByRole(AriaRole.Button, new() { Name = "HV off", Exact = true }).ClickAsync();
        await Expect(state).ToHaveTextAsync("LV_ON");
        await channel3.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Channel 3 off", Exact = true })).ToBeVisibleAsync();
        await lvOff.ClickAsync();
        await Expect(state).ToHaveTextAsync("LV_OFF");
    }
}
