using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>A stand's summary at the site (devices' states, dew-point margin, alarms, run, procedure, heartbeat): its card on the Site page and the head of its own page.</summary>
public partial class SiteStandSummary
{
    [Parameter, EditorRequired] public StandView Stand { get; set; } = default!;

    /// <summary>"12.3 °C (dew point 7.0 °C, coldest 19.3 °C)", and when it is below the stand's minimum, says so.</summary>
    private static string DewPoint(StandView stand)
    {
        if (stand.DewPointMargin is not { } margin) return stand.DewPoint is null && stand.ColdestTemperature is null ? "—" : "unknown";
        var text = $"{margin:0.0} °C (dew point {stand.DewPoint:0.0} °C, coldest {stand.ColdestTemperature:0.0} °C)";
        return stand.DewPointMarginLow ? $"{text} · below the stand's minimum of {stand.DewPointMarginMin:0.0} °C" : text;
    }
}
