using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// One command a site operator may send to a stand: its button's label, the stand's command topic and payload, what the
/// confirmation says it does, a warning for the dialog (a consequence the operator must weigh), and the colour of the
/// dialog's confirm button (the page's buttons stay neutral: colour is for states).
/// </summary>
public sealed record SiteAction(string Label, string Topic, string Payload, string Does, string? Warning = null, Color Colour = Color.Primary);

/// <summary>
/// A site operator's buttons for one stand: each command confirmed first (Cancel is the dialog's default: the site sees
/// the stand only from afar), sent through the stand's uplink (<see cref="SiteCommander"/>), and answered by the stand
/// (done, or its refusal and reason), shown under the buttons until the next command. A lost stand is named as such.
/// </summary>
public partial class SiteCommandBar
{
    [Parameter, EditorRequired] public StandView Stand { get; set; } = default!;
    [Parameter, EditorRequired] public PanelUser User { get; set; } = PanelUser.Nobody;
    [Parameter, EditorRequired] public IReadOnlyList<SiteAction> Actions { get; set; } = [];
    /// <summary>What the buttons act on ("its supplies", "its chiller"), naming the answer for screen readers and tests.</summary>
    [Parameter, EditorRequired] public string AnswerName { get; set; } = "";

    [Inject] private SiteCommander Commander { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    private (bool Ok, string Text)? _answer;

    private async Task SendAsync(SiteAction action)
    {
        var stand = Stand.Name;
        var text = $"Stand {stand}: {action.Does}, as {User.Name}. The stand checks it as any command (its interlocks and state) and audits it as site:{User.Name}.";
        var lost = Stand.Lost ? $"Stand {stand} is lost since {Clock.Caption(Stand.HeartbeatAt ?? Stand.LastHeard)}: it will not get the command." : null;
        var warning = string.Join(" ", new[] { lost, action.Warning }.OfType<string>());
        if (!await ConfirmDialog.AskAsync(Dialogs, $"{action.Label} at {stand}?", text, $"{action.Label} at {stand}",
                warning: warning.Length > 0 ? warning : null, confirmColour: action.Colour))
            return;
        _answer = null;
        var result = await Commander.SendAsync(stand, action.Topic, action.Payload, User.Name, User.Role, Session.ClientId);
        _answer = result.Ok ? (true, $"{action.Label}: done") : (false, $"{action.Label} refused: {result.Error}");
    }
}
