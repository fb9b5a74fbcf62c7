using Microsoft.AspNetCore.Components;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>A channel's set point editor: shows the current set point, takes a new one within the limit, and sends it.</summary>
public partial class SetVoltage
{
    private double? _value;

    [Parameter, EditorRequired] public string Channel { get; set; } = "";
    [Parameter, EditorRequired] public string Supply { get; set; } = "";
    [Parameter] public double? Current { get; set; }
    [Parameter] public double Max { get; set; }
    [Parameter] public double Step { get; set; } = 1;
    [Parameter] public string? Reason { get; set; }
    [Parameter] public EventCallback<double> OnSet { get; set; }

    private async Task SetAsync()
    {
        if (_value is not { } value || Reason is not null) return;
        await OnSet.InvokeAsync(value);
        _value = null;
    }
}
