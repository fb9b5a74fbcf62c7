using System.Globalization;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// One stand's page at the site instance (/site/&lt;stand&gt;): its summary and switches as on the Site page, its chiller,
/// every channel of its crate with set points and readings, and its active alarms, all read from what its uplink mirrors
/// (<see cref="SiteStands.Detail"/>). Marked as of the last heartbeat when the stand is lost.
/// </summary>
public partial class SiteStandPage
{
    [Parameter] public string Name { get; set; } = "";

    [Inject] private SiteStands Stands { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;

    private StandDetail? Detail { get; set; }
    private PanelUser User { get; set; } = PanelUser.Nobody;

    protected override PanelTopic Topics => PanelTopic.Site;

    protected override async Task OnInitializedAsync() => User = await Session.UserAsync();

    protected override void Load() => Detail = Stands.Detail(Name);

    // A new stand name in the same page (a link from one stand's page to another's) is a new stand to read.
    protected override void OnParametersSet() => Load();

    /// <summary>Rounded to <paramref name="decimals"/>; a reading that rounds to zero reads 0, not −0 (a supply that is off wobbles around it).</summary>
    private static string Value(double? value, string unit, int decimals) =>
        value is { } v ? $"{(Math.Round(v, decimals) + 0.0).ToString($"F{decimals}", CultureInfo.InvariantCulture)} {unit}" : "—";

    private static string Celsius(double? value) => Value(value, "°C", 1);
}
