using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

public partial class LocalTime
{
    public enum Form { Cell, TimeOfDay, Precise, Caption }

    [Parameter] public DateTimeOffset At { get; set; }

    /// <summary>The time as the stores keep it (Unix milliseconds); set instead of <see cref="At"/>.</summary>
    [Parameter] public long? UnixMs { get; set; }

    [Parameter] public Form As { get; set; } = Form.Cell;

    private DateTimeOffset Instant => UnixMs is { } ms ? PanelClock.FromUnixMs(ms) : At;

    private string Text => As switch
    {
        Form.TimeOfDay => Clock.TimeOfDay(Instant),
        Form.Precise => Clock.Precise(Instant),
        Form.Caption => Clock.Caption(Instant),
        _ => Clock.Cell(Instant),
    };
}
