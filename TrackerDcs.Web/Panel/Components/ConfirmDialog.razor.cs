using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// A confirmation that says the consequence: what the command changes (each channel and its target voltage), and
/// what follows from it (an interlock's action). Cancel is the default: it is the dialog's first focusable child, which
/// MudBlazor focuses when the dialog opens (its message box would focus the confirming button instead).
/// </summary>
public partial class ConfirmDialog
{
    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;

    [Parameter] public string Title { get; set; } = "";
    [Parameter] public string Text { get; set; } = "";
    [Parameter] public IReadOnlyList<string> Items { get; set; } = [];
    [Parameter] public string? Warning { get; set; }
    [Parameter] public string ConfirmText { get; set; } = "Confirm";
    [Parameter] public Color ConfirmColour { get; set; } = Color.Primary;

    private void Cancel() => Dialog.Cancel();

    private void Confirm() => Dialog.Close(DialogResult.Ok(true));

    /// <summary>Asks; true only when the operator chose the confirming button.</summary>
    public static async Task<bool> AskAsync(IDialogService dialogs, string title, string text, string confirmText,
        IReadOnlyList<string>? items = null, string? warning = null, Color confirmColour = Color.Primary)
    {
        var parameters = new DialogParameters<ConfirmDialog>
        {
            { d => d.Title, title },
            { d => d.Text, text },
            { d => d.Items, items ?? [] },
            { d => d.Warning, warning },
            { d => d.ConfirmText, confirmText },
            { d => d.ConfirmColour, confirmColour },
        };
        var options = new DialogOptions { CloseOnEscapeKey = true, MaxWidth = MaxWidth.Small };
        var reference = await dialogs.ShowAsync<ConfirmDialog>(title, parameters, options);
        var result = await reference.Result;
        return result is { Canceled: false };
    }
}
