using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// The alarm annunciator in the app bar of every page: active alarms by severity, how many wait for an acknowledgement,
/// the newest waiting major alarm one click from its guidance, the waiting count in the tab title, and an optional tone
/// for each new waiting major alarm (off by default, switched per browser; wwwroot/panel/annunciator.js).
/// </summary>
public partial class Annunciator
{
    [Inject] private AlarmManager Manager { get; set; } = default!;
    [Inject] private IJSRuntime Js { get; set; } = default!;

    public AlarmSummary Summary { get; private set; } = AlarmSummary.None;

    private bool SoundOn { get; set; }
    private bool _loaded;
    private bool _toneDue;
    private int? _titleCount;

    protected override PanelTopic Topics => PanelTopic.Alarms;

    protected override void Load()
    {
        var before = Summary;
        Summary = AlarmSummary.Of(Manager.Active);
        // Not at the first load: alarms already waiting when the page opens are not new.
        _toneDue |= _loaded && Summary.HasNewMajorSince(before);
        _loaded = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            SoundOn = await Js.InvokeAsync<bool>("trackerDcs.annunciator.soundOn");
            StateHasChanged();
        }
        if (_titleCount == Summary.Unacknowledged && !_toneDue) return;
        _titleCount = Summary.Unacknowledged;
        var tone = _toneDue;
        _toneDue = false;
        try
        {
            await Js.InvokeVoidAsync("trackerDcs.annunciator.update", Summary.Unacknowledged, tone);
        }
        catch (JSDisconnectedException)
        {
            // The page closed while an alarm change was rendered: there is no title left to update.
        }
    }

    /// <summary>The click is the user gesture browsers ask for before a page may play sound.</summary>
    private async Task ToggleSoundAsync() => SoundOn = await Js.InvokeAsync<bool>("trackerDcs.annunciator.setSound", !SoundOn);
}
