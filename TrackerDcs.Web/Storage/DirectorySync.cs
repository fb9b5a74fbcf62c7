using System.Runtime.InteropServices;

namespace TrackerDcs.Web.Storage;

/// <summary>
/// fsync(2) of a directory: a file created or renamed in it is as durable as the data fsynced into it only once
/// the directory entry itself is on disk, not when the file system gets round to committing its metadata
/// (Linux; elsewhere nothing).
/// </summary>
public static class DirectorySync
{
    public static void Sync(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = SysOpen(directory, 0); // O_RDONLY
        if (fd < 0) return;
        SysFsync(fd);
        SysClose(fd);
    }

    [DllImport("libc", EntryPoint = "open")]
    private static extern int SysOpen(string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int SysFsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int SysClose(int fd);
}
