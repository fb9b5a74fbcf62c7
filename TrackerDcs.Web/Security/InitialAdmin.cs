using System.Security.Cryptography;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Security;

/// <summary>
/// On the first start there is nobody to log in as: create <c>admin</c>, with the password of
/// TRACKERDCS_ADMIN_PASSWORD, or a random one shown once in the log and kept in a file only root
/// and the service user can read.
/// </summary>
public static class InitialAdmin
{
    public const string PasswordVariable = "TRACKERDCS_ADMIN_PASSWORD";
    public const string PasswordFile = "initial-admin-password";

    public static void EnsureExists(UserStore users, DataDirectory data, ILogger log)
    {
        if (!users.IsEmpty()) return;
        var fromEnvironment = Environment.GetEnvironmentVariable(PasswordVariable);
        var password = string.IsNullOrEmpty(fromEnvironment)
            ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_')
            : fromEnvironment;
        try
        {
            users.Add("admin", Role.Admin, password);
        }
        catch (ArgumentException e)
        {
            // A start script's weak password is a setting to fix, not a crash to read a stack trace from.
            throw new SettingsException(PasswordVariable, e.Message);
        }
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            log.LogWarning("No users existed: created 'admin' with the password from {Variable}", PasswordVariable);
            return;
        }
        var file = data.File(PasswordFile);
        File.WriteAllText(file, password + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        log.LogWarning("No users existed: created 'admin' with password {Password} (also in {File}); change it with `TrackerDcs users passwd admin`",
            password, file);
    }
}
