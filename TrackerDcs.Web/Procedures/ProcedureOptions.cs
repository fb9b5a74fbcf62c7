using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Procedures;

/// <summary>Section "Procedures": the folder of procedure files, beside the binary (the shipped ones are copied there).</summary>
public sealed class ProcedureOptions : ISettingsSection
{
    public static string Section => "Procedures";

    public string Directory { get; set; } = "procedures";

    public string Path => System.IO.Path.GetFullPath(Directory, AppContext.BaseDirectory);

    /// <summary>The files are checked when they are read, at start and on procedures/cmd/reload, naming file, line and key.</summary>
    public IEnumerable<SettingsProblem> Problems()
    {
        if (string.IsNullOrWhiteSpace(Directory)) yield return new("Procedures:Directory", "is empty");
    }
}
