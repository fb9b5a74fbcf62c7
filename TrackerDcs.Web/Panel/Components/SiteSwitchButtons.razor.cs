using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>A site operator's LV and HV switches for one stand, on the Site page's card and on the stand's page at the site.</summary>
public partial class SiteSwitchButtons
{
    [Parameter, EditorRequired] public StandView Stand { get; set; } = default!;
    [Parameter, EditorRequired] public PanelUser User { get; set; } = PanelUser.Nobody;

    private static readonly IReadOnlyList<SiteAction> Actions =
    [
        Switch("lv", true), Switch("lv", false), Switch("hv", true, Color.Warning), Switch("hv", false),
    ];

    private static SiteAction Switch(string supply, bool on, Color colour = Color.Primary)
    {
        var label = $"{supply.ToUpperInvariant()} {(on ? "on" : "off")}";
        return new SiteAction(label, $"dcs/cmd/switch/{supply}", on ? "on" : "off", label, Colour: colour);
    }
}
