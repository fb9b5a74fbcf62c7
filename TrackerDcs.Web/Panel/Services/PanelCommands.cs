using MudBlazor;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>
/// A page's command: through the command bus as this session's user; success is said in a snackbar, a refusal
/// is returned, with its reason, for the page to show where the operator looks.
/// </summary>
public sealed class PanelCommands(PanelSession session, ISnackbar snackbar)
{
    /// <param name="accepted">What the snackbar says after the device accepted the command ("done"); a command whose
    /// effect shows only later (a read-back) says so instead of "done".</param>
    public async Task<string?> SendAsync(string label, string topic, string payload = "", string accepted = "done")
    {
        if (await session.SendAsync(topic, payload) is { } refusal) return $"{label} refused: {refusal}";
        snackbar.Add($"{label}: {accepted}", Severity.Success);
        return null;
    }
}
