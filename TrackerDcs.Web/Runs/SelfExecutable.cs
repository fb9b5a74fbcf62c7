using System.Reflection;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// How to start this same program again (for <c>{trackerdcs}</c>, the fake Ph2_ACF): `dotnet TrackerDcs.dll`
/// when it runs under the dotnet host, else its own executable (apphost or published binary).
/// </summary>
public static class SelfExecutable
{
    public const string Placeholder = "{trackerdcs}";

    public static (string File, string[] Prefix) Resolve()
    {
        var host = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? (host, [Assembly.GetEntryAssembly()!.Location])
            : (host, []);
    }

    /// <summary>The full path of a program name as the OS would find it (PATH for a bare name), or null.</summary>
    public static string? Find(string executable, string baseDirectory)
    {
        if (executable.Contains('/'))
        {
            var path = Path.GetFullPath(executable, baseDirectory);
            return File.Exists(path) ? path : null;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
