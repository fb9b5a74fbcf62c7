using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// A channel's set point editor: shows the current set point, takes a new one within the limit, and sends it with
/// Enter or the ✓ button (the same command either way). A value typed but not sent is marked as such, so it never
/// reads as the set point in force (issue 20). Disabled, it says why under the field, as <see cref="GuardedButton"/> does.
/// </summary>
public partial class SetVoltage
{
    private readonly string _reasonId = $"why-{Guid.NewGuid():N}"[..12];
    private double? _value;

    [Parameter, EditorRequired] public string Channel { get; set; } = "";
    [Parameter, EditorRequired] public string Supply { get; set; } = "";
    [Parameter] public double? Current { get; set; }
    [Parameter] public double Max { get; set; }
    [Parameter] public double Step { get; set; } = 1;
    [Parameter] public string? Reason { get; set; }
    [Parameter] public EventCallback<double> OnSet { get; set; }

    /// <summary>The signed-in user (MainLayout): a viewer's role reason is written once, in the read-only notice.</summary>
    [CascadingParameter] public PanelUser? User { get; set; }

    /// <summary>What is written under the field while it is disabled.</summary>
    private string? Written => Reason is null ? null : PanelUser.WrittenReason(User, Reason);

    private Task KeyDownAsync(KeyboardEventArgs e) => e.Key is "Enter" or "NumpadEnter" ? SetAsync() : Task.CompletedTask;

    private async Task SetAsync()
    {
        if (_value is not { } value || Reason is not null) return;
        await OnSet.InvokeAsync(value);
        _value = null;
    }
}
