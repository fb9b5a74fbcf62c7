using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// The alarm annunciator in the app bar of every page: active alarms by severity, how many wait for an acknowledgement,
/// the newest waiting major alarm one click from its guidance, the waiting count in the tab title, and an optional tone
/// and an optional browser notification for each new waiting major alarm (each off by default, switched per browser;
/// wwwroot/panel/annunciator.js).
/// </summary>
public partial class Annunciator
{
    [Inject] private AlarmManager Manager { get; set; } = default!;
    [Inject] private IServiceProvider Services { get; set; } = default!;
    [Inject] private IJSRuntime Js { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    public AlarmSummary Summary { get; private set; } = AlarmSummary.None;

    private bool SoundOn { get; set; }
    private bool NotificationsOn { get; set; }

    /// <summary>Why the last switching on did not take (the browser's answer), or null.</summary>
    private string? NotificationsRefused { get; set; }

    private bool _loaded;
    private bool _newMajorDue;
    private int? _titleCount;

    /// <summary>
    /// On the site instance, every stand: the shift at the site is told of a stand's alarm as a stand's own panel tells its
    /// operator, the counts and the tone included; the counts then open the Site page, where the site's one alarm list is.
    /// </summary>
    private SiteStands? _site;

    private string AlarmsPage => _site is null ? "/alarms" : "/site";

    protected override PanelTopic Topics => _site is null ? PanelTopic.Alarms : PanelTopic.Alarms | PanelTopic.Site;

    protected override void OnInitialized()
    {
        _site = Services.GetService<SiteStands>();
        base.OnInitialized();
    }

    protected override void Load()
    {
        var before = Summary;
        Summary = AlarmSummary.Of(_site is null ? Manager.Active : [.. Manager.Active, .. _site.View.Alarms.Where(a => a.Stand != SiteStands.SiteItself).Select(StandAlarm)]);
        // Not at the first load: alarms already waiting when the page opens are not new.
        _newMajorDue |= _loaded && Summary.HasNewMajorSince(before);
        _loaded = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            SoundOn = await Js.InvokeAsync<bool>("trackerDcs.annunciator.soundOn");
            NotificationsOn = await Js.InvokeAsync<bool>("trackerDcs.annunciator.notificationsOn");
            StateHasChanged();
        }
        if (_titleCount == Summary.Unacknowledged && !_newMajorDue) return;
        _titleCount = Summary.Unacknowledged;
        var newMajor = _newMajorDue;
        _newMajorDue = false;
        try
        {
            await Js.InvokeVoidAsync("trackerDcs.annunciator.update", Summary.Unacknowledged, newMajor, Summary.NewestMajor?.Message);
        }
        catch (JSDisconnectedException)
        {
            // The page closed while an alarm change was rendered: there is no title left to update.
        }
    }

    /// <summary>The click is the user gesture browsers ask for before a page may play sound.</summary>
    private async Task ToggleSoundAsync() => SoundOn = await Js.InvokeAsync<bool>("trackerDcs.annunciator.setSound", !SoundOn);

    /// <summary>Switching on asks the browser for its permission (only then, never on opening a page).</summary>
    private async Task ToggleNotificationsAsync()
    {
        var answer = await Js.InvokeAsync<string>("trackerDcs.annunciator.setNotifications", !NotificationsOn);
        NotificationsOn = answer == "on";
        NotificationsRefused = answer is "on" or "off" ? null : answer;
        // Said where it is seen, not only in the tooltip: the switch the user just clicked did not switch.
        if (NotificationsRefused is not null) Snackbar.Add(NotificationsTip, Severity.Warning);
    }

    private string NotificationsTip => NotificationsOn
        ? "Alarm notifications on: the browser shows one for each new major alarm, also while this tab is hidden"
        : NotificationsRefused switch
        {
            "denied" => "Alarm notifications off: this browser blocks them for the panel (allow them in the site's settings, then switch on)",
            "default" => "Alarm notifications off: the browser's question was closed unanswered",
            "unsupported" => "Alarm notifications off: this browser cannot show notifications",
            _ => "Alarm notifications off",
        };

    /// <summary>A stand's alarm as the annunciator counts it: keyed and named by its stand; acknowledged or not, as the stand says.</summary>
    private static Alarm StandAlarm(SiteAlarm alarm) => new($"{alarm.Stand}/{alarm.Key}", alarm.Key.Split(':')[0], alarm.Stand,
        alarm.Severity == "major" ? AlarmSeverity.Major : AlarmSeverity.Warning, $"{alarm.Stand}: {alarm.Message}", "", alarm.Raised,
        Acknowledged: alarm.Acknowledged ? alarm.Raised : null);
}
