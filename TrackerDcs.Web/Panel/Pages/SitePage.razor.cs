using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>
/// The site instance's page (Site:Mode=Site): every stand as its uplink mirrors it, the site's one alarm list, and a site
/// operator's LV and HV commands to a stand, confirmed first, answered by the stand (done, or its refusal and reason).
/// </summary>
public partial class SitePage
{
    [Inject] private IDeviceView<SiteView> Site { get; set; } = default!;
    [Inject] private SiteCommander Commander { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    private SiteView View { get; set; } = SiteView.Empty;
    private PanelUser User { get; set; } = PanelUser.Nobody;
    /// <summary>The last answer per stand, shown under its buttons until the next command to it.</summary>
    private Dictionary<string, (bool Ok, string Text)> Answers { get; } = [];

    protected override PanelTopic Topics => PanelTopic.Site;

    protected override async Task OnInitializedAsync() => User = await Session.UserAsync();

    protected override void Load() => View = Site.View;

    /// <summary>When a lost stand was last heard alive: its last heartbeat's time (the stand's clock), else the site's last message from it.</summary>
    private string AsOf(StandView stand) => Clock.Caption(stand.HeartbeatAt ?? stand.LastHeard);

    /// <summary>"12.3 °C (dew point 7.0 °C, coldest 19.3 °C)", and when it is below the stand's minimum, says so.</summary>
    private static string DewPoint(StandView stand)
    {
        if (stand.DewPointMargin is not { } margin) return stand.DewPoint is null && stand.ColdestTemperature is null ? "—" : "unknown";
        var text = $"{margin:0.0} °C (dew point {stand.DewPoint:0.0} °C, coldest {stand.ColdestTemperature:0.0} °C)";
        return stand.DewPointMarginLow ? $"{text} · below the stand's minimum of {stand.DewPointMarginMin:0.0} °C" : text;
    }

    /// <summary>Every switch is confirmed (the site sees the stand only from afar); Cancel is the dialog's default.</summary>
    private async Task SwitchAsync(string stand, string supply, bool on)
    {
        var label = $"{supply.ToUpperInvariant()} {(on ? "on" : "off")}";
        var text = $"Stand {stand}: {label}, as {User.Name}. The stand checks it as any command (its interlocks and state) and audits it as site:{User.Name}.";
        var warning = View.Stand(stand) is { Lost: true } lost ? $"Stand {stand} is lost since {AsOf(lost)}: it will not get the command." : null;
        if (!await ConfirmDialog.AskAsync(Dialogs, $"{label} at {stand}?", text, $"{label} at {stand}", warning: warning,
                confirmColour: (supply, on) == ("hv", true) ? Color.Warning : Color.Primary))
            return;
        Answers.Remove(stand);
        var result = await Commander.SendAsync(stand, $"dcs/cmd/switch/{supply}", on ? "on" : "off", User.Name, User.Role, Session.ClientId);
        Answers[stand] = result.Ok ? (true, $"{label}: done") : (false, $"{label} refused: {result.Error}");
    }
}
