using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// The site instance's page (Site:Mode=Site): every stand as its uplink mirrors it, with a link to its own page at the
/// site, the site's one alarm list, and a site operator's LV and HV commands to each stand (<see cref="SiteSwitchButtons"/>).
/// </summary>
public partial class SitePage
{
    [Inject] private IDeviceView<SiteView> Site { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;

    /// <summary>The stand's page that sent the browser here (SiteSetup): named, so that the redirect is not a mystery.</summary>
    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }

    private SiteView View { get; set; } = SiteView.Empty;
    private PanelUser User { get; set; } = PanelUser.Nobody;

    protected override PanelTopic Topics => PanelTopic.Site;

    protected override async Task OnInitializedAsync() => User = await Session.UserAsync();

    protected override void Load() => View = Site.View;
}
