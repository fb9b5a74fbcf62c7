using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// A site operator's LV and HV switches for one stand, on the Site page's card and on the stand's page at the site: each
/// confirmed first (Cancel is the dialog's default), sent through the stand's uplink, and answered by the stand (done, or
/// its refusal and reason), shown under the buttons until the next command.
/// </summary>
public partial class SiteSwitchButtons
{
    [Parameter, EditorRequired] public StandView Stand { get; set; } = default!;
    [Parameter, EditorRequired] public PanelUser User { get; set; } = PanelUser.Nobody;

    [Inject] private SiteCommander Commander { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    private (bool Ok, string Text)? _answer;

    /// <summary>The site sees the stand only from afar, so every switch is confirmed, and a lost stand is named as such.</summary>
    private async Task SwitchAsync(string supply, bool on)
    {
        var stand = Stand.Name;
        var label = $"{supply.ToUpperInvariant()} {(on ? "on" : "off")}";
        var text = $"Stand {stand}: {label}, as {User.Name}. The stand checks it as any command (its interlocks and state) and audits it as site:{User.Name}.";
        var warning = Stand.Lost ? $"Stand {stand} is lost since {Clock.Caption(Stand.HeartbeatAt ?? Stand.LastHeard)}: it will not get the command." : null;
        if (!await ConfirmDialog.AskAsync(Dialogs, $"{label} at {stand}?", text, $"{label} at {stand}", warning: warning,
                confirmColour: (supply, on) == ("hv", true) ? Color.Warning : Color.Primary))
            return;
        _answer = null;
        var result = await Commander.SendAsync(stand, $"dcs/cmd/switch/{supply}", on ? "on" : "off", User.Name, User.Role, Session.ClientId);
        _answer = result.Ok ? (true, $"{label}: done") : (false, $"{label} refused: {result.Error}");
    }
}
