using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>Who is at this panel: the cookie's name, with the role read again from the user store (a changed role applies at once).</summary>
public sealed record PanelUser(string Name, Role Role)
{
    public bool MayCommand => Role.MaySendCommands();
    public bool MayAdminister => Role.MayAdminister();

    /// <summary>Why this user's controls are disabled, or null when they are not.</summary>
    public string? CommandRefusal => MayCommand ? null : $"{Name} is a {Role.ToString().ToLowerInvariant()}: only operators and admins send commands";

    /// <summary>
    /// What is written beside a control disabled for <paramref name="reason"/>: the reason, or only "read-only" when the
    /// reason is this user's role (the read-only notice under the bar says why, once per page).
    /// </summary>
    public static string WrittenReason(PanelUser? user, string reason) => reason == user?.CommandRefusal ? "read-only" : reason;

    public static readonly PanelUser Nobody = new("nobody", Role.Viewer);
}

/// <summary>
/// One browser circuit's session: the user, and the path of its commands into the command bus, which
/// validates, authorizes and audits them exactly as it does MQTT commands (origin Panel).
/// </summary>
public sealed class PanelSession(AuthenticationStateProvider authentication, UserStore users, CommandBus bus, ILogger<PanelSession> log)
{
    public string ClientId { get; } = $"panel-{Guid.NewGuid().ToString("N")[..8]}";

    public async Task<PanelUser> UserAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return FromPrincipal(state.User, users);
    }

    public static PanelUser FromPrincipal(ClaimsPrincipal principal, UserStore users)
    {
        var name = principal.Identity is { IsAuthenticated: true } ? principal.Identity.Name : null;
        if (name is null) return PanelUser.Nobody;
        // The store is the truth: a removed account keeps no rights; a demoted one loses them now.
        return users.Find(name) is { } found ? new PanelUser(name, found.Account.Role) : PanelUser.Nobody with { Name = name };
    }

    /// <summary>Sends a command through the bus as this session's user: null when done, else why it was refused.</summary>
    public async Task<string?> SendAsync(string topic, string payload = "")
    {
        var user = await UserAsync();
        var result = await bus.ExecuteAsync(new CommandRequest(topic, payload, user.Name, user.Role, CommandOrigin.Panel, ClientId));
        log.LogDebug("Panel command {Topic} {Payload} by {User}: {Result}", topic, payload, user.Name, result);
        return result.Ok ? null : result.Error;
    }
}
