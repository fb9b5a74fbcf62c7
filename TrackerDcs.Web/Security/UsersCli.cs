using TrackerDcs.Web.Common;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Security;

/// <summary>
/// `TrackerDcs users add|passwd|remove|list`: account administration on the machine itself, against the same
/// database the running process uses. A password is read from standard input when it is redirected
/// (scripts), else prompted for without echo; it never appears on the command line.
/// </summary>
public static class UsersCli
{
    private const string Usage = """
        usage: TrackerDcs users list
               TrackerDcs users add <name> --role viewer|operator|admin
               TrackerDcs users add <name> --role device --prefix ESP01/ [--prefix …]
               TrackerDcs users passwd <name>
               TrackerDcs users role <name> viewer|operator|admin
               TrackerDcs users remove <name>
        """;

    public static int Run(string[] args, IConfiguration configuration)
    {
        try
        {
            var store = new UserStore(new Database(new DataDirectory(configuration)));
            switch (args)
            {
                case ["list"]:
                    foreach (var u in store.List())
                        Console.WriteLine($"{u.Name,-20} {u.Role.ToString().ToLowerInvariant(),-9} {string.Join(' ', u.TopicPrefixes)}");
                    return 0;
                case ["add", var name, .. var options]:
                    var (role, prefixes) = ParseAdd(options);
                    store.Add(name, role, ReadPassword($"password for {name}: "), prefixes);
                    Console.WriteLine($"added {name} ({role.ToString().ToLowerInvariant()})");
                    return 0;
                case ["passwd", var name]:
                    store.SetPassword(name, ReadPassword($"new password for {name}: "));
                    Console.WriteLine($"password of {name} changed");
                    return 0;
                case ["role", var name, var roleText]:
                    store.SetRole(name, ParseRole(roleText));
                    Console.WriteLine($"{name} is now {roleText.ToLowerInvariant()}");
                    return 0;
                case ["remove", var name]:
                    store.Remove(name);
                    Console.WriteLine($"removed {name}");
                    return 0;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (Exception e) when (e is ArgumentException or SettingsException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static (Role, List<string>) ParseAdd(string[] options)
    {
        Role? role = null;
        var prefixes = new List<string>();
        for (var i = 0; i < options.Length; i++)
        {
            var value = i + 1 < options.Length ? options[i + 1] : throw new ArgumentException($"{options[i]} needs a value");
            switch (options[i])
            {
                case "--role": role = ParseRole(value); i++; break;
                case "--prefix": prefixes.Add(DevicePrefix(value)); i++; break;
                default: throw new ArgumentException($"unknown option '{options[i]}'");
            }
        }
        return (role ?? throw new ArgumentException("--role is required"), prefixes);
    }

    // The roots below which only the process publishes (the CAEN root is channels.yml's name, "dcs" as shipped).
    // A device account's prefix there could not be used, and would read as a licence to. The switch box's "SB" is
    // not one of them: in wifi mode the box itself is a device account whose prefix is SB/.
    private static readonly string[] DeviceRoots = ["dcs", "julabo", "ph2acf", "alarms", "MARTA", "procedures"];

    /// <summary>A device account's topic prefix: non-empty, no wildcard, outside the device roots and the command topics.</summary>
    private static string DevicePrefix(string prefix)
    {
        if (prefix.Length == 0) throw new ArgumentException("a topic prefix may not be empty");
        if (prefix.IndexOfAny(['+', '#']) >= 0) throw new ArgumentException($"'{prefix}' contains a wildcard");
        var levels = prefix.Split('/');
        if (DeviceRoots.FirstOrDefault(root => root == levels[0]) is { } device)
            throw new ArgumentException($"'{prefix}' is below the device root '{device}'");
        if (levels.Length > 1 && levels[1] == "cmd") throw new ArgumentException($"'{prefix}' is a command topic (+/cmd/#)");
        return prefix;
    }

    private static Role ParseRole(string text) =>
        RoleExtensions.TryParse(text, out var role) ? role : throw new ArgumentException($"unknown role '{text}' (viewer, operator, admin, device)");

    private static string ReadPassword(string prompt)
    {
        if (Console.IsInputRedirected) return Console.ReadLine() ?? throw new ArgumentException("no password on standard input");
        Console.Write(prompt);
        var password = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace && password.Length > 0) password.Length--;
            else if (!char.IsControl(key.KeyChar)) password.Append(key.KeyChar);
        }
        Console.WriteLine();
        return password.ToString();
    }
}
