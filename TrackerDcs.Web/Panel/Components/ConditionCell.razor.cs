using Microsoft.AspNetCore.Components;

namespace TrackerDcs.Web.Panel.Components;

public partial class ConditionCell
{
    /// <summary>The value; null where the quantity was not in that snapshot or point.</summary>
    [Parameter] public ConditionValue? Value { get; set; }
}
