using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// A channel's set point editor: shows the current set point, takes a new one within the limit, and sends it with
/// Enter or the ✓ button (the same command either way). A value typed but not sent is marked as such, so it never
/// reads as the set point in force (issue 20).
/// </summary>
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

    private Task KeyDownAsync(KeyboardEventArgs e) => e.Key is "Enter" or "NumpadEnter" ? SetAsync() : Task.CompletedTask;

    private async Task SetAsync()
    {
        if (_value is not { } value || Reason is not null) return;
        await OnSet.InvokeAsync(value);
        _value = null;
    }
}
