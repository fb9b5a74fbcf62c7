using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Devices.Caen;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// An LED of the seed's dashboard, from a supply's status word: green on, yellow ramping, red for any alarm bit
/// (over-current and above), grey off, dashed before the first reading. Its label says the same in words.
/// </summary>
public partial class StateLight
{
    /// <summary>"LV" or "HV", for the label.</summary>
    [Parameter] public string Supply { get; set; } = "";
    [Parameter] public int? Status { get; set; }

    public string Css => CaenSupplyView.Light(Status);

    public string Label => $"{Supply} {(Status is { } s ? CaenSupplyView.Describe(s) : "unknown")}".Trim();
}
