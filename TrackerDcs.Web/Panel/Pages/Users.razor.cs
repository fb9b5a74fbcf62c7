using Microsoft.AspNetCore.Components;
using MudBlazor;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>Admins manage the accounts of the panel and the broker (the same UserStore as `TrackerDcs users`).</summary>
public partial class Users
{
    private static readonly Role[] PanelRoles = [Role.Viewer, Role.Operator, Role.Admin];

    [Inject] private UserStore Store { get; set; } = default!;
    [Inject] private PanelSession Session { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private ILogger<Users> Log { get; set; } = default!;

    private IReadOnlyList<UserAccount> Accounts { get; set; } = [];
    private string? NewName { get; set; }
    private string? NewPassword { get; set; }
    private Role NewRole { get; set; } = Role.Viewer;
    private string? Error { get; set; }

    protected override void OnInitialized() => Accounts = Store.List();

    private static string Name(Role role) => role.ToString().ToLowerInvariant();

    /// <summary>Every change is checked again against the store: the page may have been opened by an admin demoted since.</summary>
    private async Task<bool> StillAdminAsync()
    {
        var user = await Session.UserAsync();
        if (user.MayAdminister) return true;
        Error = "only admins manage users";
        return false;
    }

    private async Task Add()
    {
        if (!await StillAdminAsync()) return;
        await Change(() => Store.Add(NewName?.Trim() ?? "", NewRole, NewPassword ?? ""), $"added {NewName} as {Name(NewRole)}");
        if (Error is null) (NewName, NewPassword) = (null, null);
    }

    private async Task SetRole(string name, Role role)
    {
        if (!await StillAdminAsync()) return;
        await Change(() => Store.SetRole(name, role), $"{name} is now {Name(role)}");
    }

    private async Task RemoveAsync(string name)
    {
        if (!await StillAdminAsync()) return;
        var confirmed = await Dialogs.ShowMessageBoxAsync($"Remove {name}?", "The account can no longer log in to the panel nor the broker.",
            yesText: $"Remove {name}", cancelText: "Cancel");
        if (confirmed == true) await Change(() => Store.Remove(name), $"removed {name}");
    }

    private async Task Change(Action change, string done)
    {
        var admin = (await Session.UserAsync()).Name;
        try
        {
            change();
            Error = null;
            Log.LogInformation("Users page: {Admin} {Change}", admin, done);
            Snackbar.Add(done, Severity.Success);
        }
        catch (ArgumentException e)
        {
            Error = e.Message;
        }
        Accounts = Store.List();
    }
}
