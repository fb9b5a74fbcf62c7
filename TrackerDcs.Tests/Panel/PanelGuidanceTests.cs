using Microsoft.Playwright;
using TrackerDcs.Tests.Alarms;
using static Microsoft.Playwright.Assertions;

namespace TrackerDcs.Tests.Panel;

/// <summary>
/// The buttons that alarm guidance names are there (issue 20, item 10): each "‹page› page → ‹button›" of the catalogue
/// is followed as an operator would, through the navigation's link of that name to a button of that label.
/// </summary>
[Collection(PanelCollection.Name)]
public sealed class PanelGuidanceTests(PanelStand panel)
{
    [Fact]
    public async Task Every_button_that_guidance_names_is_on_the_page_it_names()
    {
        var named = GuidanceReferences.InCatalog();
        Assert.NotEmpty(named);
        await using var context = await panel.ContextAsync();
        var page = await panel.LoginAsync(context, "operator", PanelStand.OperatorPassword);
        foreach (var (pageName, button) in named)
        {
            await page.GetByRole(AriaRole.Link, new() { Name = pageName, Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }))
                .ToBeVisibleAsync(new() { Timeout = 20_000 });
        }
    }
}
