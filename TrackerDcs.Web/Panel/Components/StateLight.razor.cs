using Microsoft.AspNetCore.Components;
using TrackerDcs.Hardware.Caen;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// An LED of the seed's dashboard, from a supply's status word: green on, yellow ramping, red for any alarm bit
/// (over-current and above), grey off, dashed before the first reading. Its label says the same in words.
/// </summary>
public partial class StateLight
{
    private const int AlarmBits = ~(int)(CaenStatus.On | CaenStatus.RampingUp | CaenStatus.RampingDown);

    /// <summary>"LV" or "HV", for the label.</summary>
    [Parameter] public string Supply { get; set; } = "";
    [Parameter] public int? Status { get; set; }

    public string Css => Classify(Status);

    public string Label => $"{Supply} {(Status is { } s ? CaenStatusWords.Text(s) : "unknown")}".Trim();

    public static string Classify(int? status) => status switch
    {
        null => "unknown",
        var s when (s & AlarmBits) != 0 => "error",
        var s when (s & (int)(CaenStatus.RampingUp | CaenStatus.RampingDown)) != 0 => "ramp",
        var s when (s & (int)CaenStatus.On) != 0 => "on",
        _ => "off",
    };
}
