using MudBlazor;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>The panel's colours: MudBlazor's defaults with a calmer primary, light and dark.</summary>
public static class PanelTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#1565c0", AppbarBackground = "#1565c0", Secondary = "#00838f" },
        PaletteDark = new PaletteDark { Primary = "#64b5f6", Secondary = "#4dd0e1" },
    };
}
