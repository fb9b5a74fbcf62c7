namespace TrackerDcs.Testing;

/// <summary>Files of the repository the tests or benches were built from (deploy/, docs/, the built TrackerDcs, …).</summary>
public static class Repository
{
    /// <summary>The folder holding TrackerDcs.sln, above wherever the caller was built to.</summary>
    public static string Root { get; } = FindRoot();

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "TrackerDcs.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no TrackerDcs.sln above {AppContext.BaseDirectory}");
    }
}
