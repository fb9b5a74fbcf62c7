namespace TrackerDcs.Tests.Support;

/// <summary>Files of the repository the tests were built from (deploy/, docs/, …).</summary>
public static class Repository
{
    /// <summary>Tests run from TrackerDcs.Tests/bin/&lt;configuration&gt;/net10.0.</summary>
    public static string Root { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.Parent!.FullName;

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);
}
