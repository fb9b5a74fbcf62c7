using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>A red line over every page while a major alarm waits for an acknowledgement (shelved ones do not), like the not-ready banner.</summary>
public partial class AlarmBanner
{
    [Inject] private AlarmManager Manager { get; set; } = default!;

    public AlarmSummary Summary { get; private set; } = AlarmSummary.None;

    protected override PanelTopic Topics => PanelTopic.Alarms;

    protected override void Load() => Summary = AlarmSummary.Of(Manager.Active);
}
