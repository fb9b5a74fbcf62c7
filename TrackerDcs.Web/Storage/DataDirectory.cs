using TrackerDcs.Web.Common;
namespace TrackerDcs.Web.Storage;

/// <summary>
/// The one directory the process writes: database, retained messages, generated certificate,
/// initial admin password, the cookie-signing keys. A volume in the container; <c>./data</c> beside where `dotnet run` starts.
/// It holds password hashes, the audit log and keys: the directory is the owner's only (0700), and so are the
/// files the process creates in it (0600), whatever the umask.
/// </summary>
public sealed class DataDirectory
{
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public DataDirectory(IConfiguration configuration)
    {
        var configured = configuration["Data:Directory"];
        Path = System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "data" : configured);
        try
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Path);
            else Directory.CreateDirectory(Path, PrivateDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException("Data:Directory", $"cannot create the data directory '{Path}': {e.Message}");
        }
        // CreateDirectory leaves an existing directory as it was: one made by an older version (0755) is closed now.
        PermissionProblem = MakePrivate(Path, PrivateDirectory);
    }

    public string Path { get; }

    /// <summary>Why the directory could not be made the owner's only (a volume owned by another user), or null.</summary>
    public string? PermissionProblem { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The free space of the filesystem that holds the directory, as an unprivileged writer sees it.</summary>
    public DiskSpace FreeSpace()
    {
        var drive = new DriveInfo(Path);
        return new DiskSpace(drive.Name, drive.AvailableFreeSpace, drive.TotalSize);
    }

    /// <summary>Sets the mode of a file or directory the process keeps private; null, or why it could not.</summary>
    public static string? MakePrivate(string path, UnixFileMode mode = PrivateFile)
    {
        if (OperatingSystem.IsWindows()) return null;
        try
        {
            if ((System.IO.File.GetUnixFileMode(path) & ~mode) != 0) System.IO.File.SetUnixFileMode(path, mode);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot make '{path}' private ({Convert.ToString((int)mode, 8)}): {e.Message}";
        }
    }

    /// <summary>Options of a file the process writes in the data directory: created owner-only (0600).</summary>
    public static FileStreamOptions PrivateWrite(FileMode mode = FileMode.Create) => OperatingSystem.IsWindows()
        ? new FileStreamOptions { Mode = mode, Access = FileAccess.Write }
        : new FileStreamOptions { Mode = mode, Access = FileAccess.Write, UnixCreateMode = PrivateFile };
}

/// <summary>A filesystem's free space: <paramref name="Mount"/> is where it is mounted.</summary>
public sealed record DiskSpace(string Mount, long FreeBytes, long TotalBytes)
{
    public double FreePercent => TotalBytes > 0 ? 100.0 * FreeBytes / TotalBytes : 0;

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{FreePercent:0.0} % free ({FreeBytes / 1e6:0.#} of {TotalBytes / 1e6:0.#} MB)");
}
