using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// A command button that is enabled only when <see cref="Reason"/> is null; otherwise disabled, with the reason (the
/// state machine's, or the user's role) written under it, where keyboard and touch users read it too, and as its
/// description for screen readers; hovering shows it as well. Disabled while its command runs. Neutral by default:
/// colour is for the state chips and lights, so a button never reads as a status.
/// </summary>
public partial class GuardedButton
{
    private readonly string _reasonId = $"why-{Guid.NewGuid():N}"[..12];
    private bool _busy;

    [Parameter, EditorRequired] public string Text { get; set; } = "";
    [Parameter] public string? AriaLabel { get; set; }
    [Parameter] public string? Reason { get; set; }
    [Parameter] public string? Icon { get; set; }
    [Parameter] public Color Color { get; set; } = Color.Primary;
    [Parameter] public Variant Variant { get; set; } = Variant.Filled;
    [Parameter] public Size Size { get; set; } = Size.Medium;
    [Parameter] public EventCallback OnClick { get; set; }

    /// <summary>False where many small buttons share one reason that the page writes once (the switch box's channel grid).</summary>
    [Parameter] public bool ShowReason { get; set; } = true;

    /// <summary>The signed-in user (MainLayout): a viewer's role reason is written once, in the read-only notice.</summary>
    [CascadingParameter] public PanelUser? User { get; set; }

    /// <summary>What is written under the button: the reason, or only "read-only" when the reason is the user's role.</summary>
    private string? Written => !ShowReason || Reason is null ? null : PanelUser.WrittenReason(User, Reason);

    private async Task ClickAsync()
    {
        if (Reason is not null || _busy) return;
        _busy = true;
        try
        {
            await OnClick.InvokeAsync();
        }
        finally
        {
            _busy = false;
        }
    }
}
