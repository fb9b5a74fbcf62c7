using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

public partial class MainLayout
{
    private const string ThemeKey = "trackerdcs.theme";

    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private IJSRuntime Js { get; set; } = default!;
    [Inject] private IServiceProvider Services { get; set; } = default!;

    private MudThemeProvider? _themeProvider;
    private bool _dark;
    private bool _drawerOpen = true;
    private PanelUser _user = PanelUser.Nobody;

    /// <summary>Stands without MARTA (Marta:Enabled false) have no CO2 plant page.</summary>
    private bool _hasMarta => Services.GetService<TrackerDcs.Web.Devices.Marta.MartaService>() is not null;

    /// <summary>The site instance (Site:Mode=Site): the Site page instead of the stand's device pages.</summary>
    private bool _isSite => Services.GetService<TrackerDcs.Web.Site.SiteStands>() is not null;

    private string RoleName => _user.Role.ToString().ToLowerInvariant();

    protected override async Task OnInitializedAsync() => _user = await Session.UserAsync();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The theme chosen with the button is kept in this browser (a control-room screen stays dark across
        // reloads); until one is chosen the browser's preference (prefers-color-scheme) decides.
        if (firstRender && _themeProvider is not null)
        {
            await Clock.LearnAsync(Js);
            _dark = await Js.InvokeAsync<string?>("localStorage.getItem", ThemeKey) switch
            {
                "dark" => true,
                "light" => false,
                _ => await _themeProvider.GetSystemDarkModeAsync(),
            };
            StateHasChanged();
        }
    }

    private async Task ToggleTheme()
    {
        _dark = !_dark;
        await Js.InvokeVoidAsync("localStorage.setItem", ThemeKey, _dark ? "dark" : "light");
        await Js.InvokeVoidAsync("document.documentElement.classList.toggle", "panel-dark", _dark);
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;
}
