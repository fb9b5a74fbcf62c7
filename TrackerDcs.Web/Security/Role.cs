namespace TrackerDcs.Web.Security;

/// <summary>
/// One set of roles for the panel and the broker. Viewer ⊂ Operator ⊂ Admin; a Device (an ESP
/// sensor box) is outside that ladder: it may only publish below its own topic prefixes.
/// </summary>
public enum Role { Viewer, Operator, Admin, Device }

public static class RoleExtensions
{
    /// <summary>The roles of people (the panel, the HTTP API): every role but Device.</summary>
    public static readonly string[] PeopleRoles = [nameof(Role.Viewer), nameof(Role.Operator), nameof(Role.Admin)];

    public static bool MaySendCommands(this Role role) => role is Role.Operator or Role.Admin;

    public static bool MayAdminister(this Role role) => role is Role.Admin;

    /// <summary>A role by its name only: Enum.TryParse would also take "2" (admin) or "3" (device).</summary>
    public static bool TryParse(string text, out Role role)
    {
        var name = Enum.GetNames<Role>().FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        role = name is null ? default : Enum.Parse<Role>(name);
        return name is not null;
    }
}
