using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Interlocks;

/// <summary>Section "Interlocks": the rule file, beside the binary (copied there from the repository root).</summary>
public sealed class InterlockOptions : ISettingsSection
{
    public static string Section => "Interlocks";

    public string File { get; set; } = "interlocks.yml";

    public string Path => System.IO.Path.GetFullPath(File, AppContext.BaseDirectory);

    /// <summary>The file's rules are checked when it is read, at registration, naming its line.</summary>
    public IEnumerable<SettingsProblem> Problems()
    {
        if (string.IsNullOrWhiteSpace(File)) yield return new("Interlocks:File", "is empty");
    }
}
