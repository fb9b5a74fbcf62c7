using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// A command button that is enabled only when <see cref="Reason"/> is null; otherwise disabled, with the reason
/// (the state machine's, or the user's role) shown on hover. Disabled while its command runs.
/// </summary>
public partial class GuardedButton
{
    private bool _busy;

    [Parameter, EditorRequired] public string Text { get; set; } = "";
    [Parameter] public string? AriaLabel { get; set; }
    [Parameter] public string? Reason { get; set; }
    [Parameter] public string? Icon { get; set; }
    [Parameter] public Color Color { get; set; } = Color.Primary;
    [Parameter] public Variant Variant { get; set; } = Variant.Filled;
    [Parameter] public Size Size { get; set; } = Size.Medium;
    [Parameter] public EventCallback OnClick { get; set; }

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
