using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// Issue 20, item 10: a run's conditions are a table on its page, one row per quantity with its value at the run's
/// start and end, times in the browser's zone; not raw JSON with epoch milliseconds.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class PanelRunConditionsTests(PanelStand panel)
{
    [Fact]
    public async Task A_runs_conditions_are_a_table_of_quantities_at_its_start_and_end()
    {
        var run = await panel.FinishedRunAsync("conditions table");
        await using var context = await panel.ContextAsync(timeZone: "Europe/Zurich");
        var page = await panel.LoginAsync(context, "viewer", PanelStand.ViewerPassword, $"/runs/{run}");

        var conditions = page.GetByLabel("Run conditions", new() { Exact = true });
        await Expect(conditions.Locator("table")).ToBeVisibleAsync();
        await Expect(conditions.Locator("thead")).ToContainTextAsync("at start");
        await Expect(conditions.Locator("thead")).ToContainTextAsync("at end");
        // lv-test runs with LV on: so the crate was at both ends.
        await Expect(Row(conditions, "crate · state").Locator("td")).ToHaveTextAsync(["LV_ON", "LV_ON"]);
        await Expect(Row(conditions, "channel 0 · lv_setV").Locator("td")).ToHaveTextAsync([new Regex(@"^\d+(\.\d+)?$"), new Regex(@"^\d+(\.\d+)?$")]);
        // When each snapshot was taken: a local time, the zone named in the header, UTC on hover.
        await Expect(conditions.Locator("thead")).ToContainTextAsync("Europe/Zurich");
        await Expect(Row(conditions, "time").Locator("td time")).ToHaveCountAsync(2);

        await conditions.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "run-conditions.png") });
        var cells = await conditions.Locator("td").AllTextContentsAsync();
        Assert.True(cells.Count > 20, $"only {cells.Count} cells");
        Assert.All(cells, cell =>
        {
            Assert.DoesNotMatch(@"^\s*[\[{]", cell);       // no JSON
            Assert.DoesNotMatch(@"\b1\d{12}\b", cell);     // no epoch milliseconds
        });
    }

    private static ILocator Row(ILocator table, string quantity) =>
        table.GetByRole(AriaRole.Row).Filter(new() { Has = table.Page.GetByRole(AriaRole.Rowheader, new() { Name = quantity, Exact = true }) });
}
