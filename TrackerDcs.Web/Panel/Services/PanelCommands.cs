using MudBlazor;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>
/// A page's command: through the command bus as this session's user; success is said in a snackbar, a refusal
/// is returned, with its reason, for the page to show where the operator looks.
/// </summary>
public sealed class PanelCommands(PanelSession session, ISnackbar snackbar)
{
    public async Task<string?> SendAsync(string label, string topic, string payload = "")
    {
        if (await session.SendAsync(topic, payload) is { } refusal) return $"{label} refused: {refusal}";
        snackbar.Add($"{label}: done", Severity.Success);
        return null;
    }
}
