using TrackerDcs.Web.Common;
namespace TrackerDcs.Web.Storage;

/// <summary>
/// The one directory the process writes: database, retained messages, generated certificate,
/// initial admin password. A volume in the container; <c>./data</c> beside where `dotnet run` starts.
/// </summary>
public sealed class DataDirectory
{
    public DataDirectory(IConfiguration configuration)
    {
        var configured = configuration["Data:Directory"];
        Path = System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "data" : configured);
        try
        {
            Directory.CreateDirectory(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException("Data:Directory", $"cannot create the data directory '{Path}': {e.Message}");
        }
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);
}
