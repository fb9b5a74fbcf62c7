using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

public partial class MainLayout
{
    [Inject] private PanelSession Session { get; set; } = default!;

    private MudThemeProvider? _themeProvider;
    private bool _dark;
    private bool _drawerOpen = true;
    private PanelUser _user = PanelUser.Nobody;

    private string RoleName => _user.Role.ToString().ToLowerInvariant();

    protected override async Task OnInitializedAsync() => _user = await Session.UserAsync();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The browser's preference (prefers-color-scheme) chooses the first theme; the button overrides it.
        if (firstRender && _themeProvider is not null)
        {
            _dark = await _themeProvider.GetSystemDarkModeAsync();
            StateHasChanged();
        }
    }

    private void ToggleTheme() => _dark = !_dark;

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;
}
