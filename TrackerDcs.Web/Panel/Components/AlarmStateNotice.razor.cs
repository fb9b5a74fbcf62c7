using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// What a page says when no alarm is active: a green "No active alarm" only while every source of alarms is current;
/// otherwise "alarm state unknown since …" (a device not ready, or the page's connection to the stand lost).
/// </summary>
public partial class AlarmStateNotice
{
    [Parameter] public string? Class { get; set; }

    private IReadOnlyList<ReadinessProblem> Unknown { get; set; } = [];

    protected override PanelTopic Topics => PanelTopic.Readiness;

    protected override void Load() => Unknown = [.. Feed.NotReady().Where(p => p.StalesValues)];
}
