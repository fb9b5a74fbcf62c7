using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// The CO2 plant's page in Chromium against the stand's simulated MARTA: buttons enabled only when the state machine
/// allows them (the reason on hover), a refusal shown, chiller then CO2 started through the buttons.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class MartaPanelTests(PanelStand panel)
{
    [Fact]
    public async Task Operator_starts_the_chiller_then_CO2_through_the_buttons_and_sees_a_refusal()
    {
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword);
        // MARTA is in the navigation and on the overview.
        await Expect(page.GetByLabel("MARTA state")).ToHaveTextAsync("CONNECTED");
        await page.GetByRole(AriaRole.Link, new() { Name = "CO2 plant", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "CO2 plant (MARTA)" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("MARTA state")).ToHaveTextAsync("CONNECTED");

        var startCo2 = page.GetByRole(AriaRole.Button, new() { Name = "Start CO2", Exact = true });
        await Expect(startCo2).ToBeDisabledAsync();
        await Expect(page.Locator("span.guarded", new() { Has = startCo2 })).ToHaveAttributeAsync("title", "start_co2 needs CHILLER_RUNNING (MARTA is CONNECTED)");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Clear alarms" })).ToBeDisabledAsync();

        // A set point beyond the seed's limits is refused, with the bound, and nothing changes.
        await page.GetByLabel("Temperature set point").FillAsync("40");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set Temperature" }).ClickAsync();
        await Expect(page.GetByLabel("Command refused")).ToContainTextAsync("set_temperature_setpoint: 40 °C is above the maximum 25 °C");

        await page.GetByRole(AriaRole.Button, new() { Name = "Start chiller" }).ClickAsync();
        await Expect(page.GetByLabel("MARTA state")).ToHaveTextAsync("CHILLER_RUNNING");
        await Expect(startCo2).ToBeEnabledAsync();
        await startCo2.ClickAsync();
        await Expect(page.GetByLabel("MARTA state")).ToHaveTextAsync("CO2_RUNNING");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start chiller" })).ToBeDisabledAsync();

        // Back to CONNECTED for the other tests of this stand.
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop CO2" }).ClickAsync();
        await Expect(page.GetByLabel("MARTA state")).ToHaveTextAsync("CHILLER_RUNNING");
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop chiller" }).ClickAsync();
        await Expect(page.GetByLabel("MARTA state")).ToHaveTextAsync("CONNECTED");
    }
}
