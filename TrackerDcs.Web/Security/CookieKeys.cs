using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Security;

/// <summary>
/// The keys that sign the panel's login and antiforgery cookies (ASP.NET Core data protection), kept in the data
/// directory's <c>keys/</c>, owner-only like everything there. By default they lived in the service user's home
/// (<c>~/.aspnet/DataProtection-Keys</c>), outside the volume that is backed up and outside the container's
/// volume (a new container logged everybody out). A key ring found there is copied once, at the first start that
/// finds <c>keys/</c> empty, so the cookies it signed stay valid.
/// </summary>
public static class CookieKeys
{
    public const string Folder = "keys";

    public static void AddCookieKeys(this WebApplicationBuilder builder, DataDirectory data)
    {
        var directory = new DirectoryInfo(data.File(Folder));
        builder.Services.AddDataProtection();
        builder.Services.AddOptions<KeyManagementOptions>().Configure<ILoggerFactory>((o, loggers) =>
            o.XmlRepository = new PrivateKeyRepository(directory, loggers));
    }

    /// <summary>Before the first request (keys are read lazily): creates keys/ (0700) and copies an old key ring into it.</summary>
    public static void UseCookieKeys(this WebApplication app, DataDirectory data, ILogger log)
    {
        var directory = data.File(Folder);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, DataDirectory.PrivateDirectory);
        if (DataDirectory.MakePrivate(directory, DataDirectory.PrivateDirectory) is { } problem) log.LogWarning("{Problem}", problem);
        if (OldDirectory() is { } old && Migrate(old, directory) is var copied and > 0)
            log.LogWarning("Copied {Count} cookie-signing keys from {Old} to {New}, where they are kept from now on; {Old} can be deleted",
                copied, old, directory, old);
    }

    /// <summary>Where ASP.NET Core kept them without a setting on Linux: $HOME/.aspnet/DataProtection-Keys.</summary>
    private static string? OldDirectory() =>
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? Path.Combine(home, ".aspnet", "DataProtection-Keys") : null;

    /// <summary>Copies the old key files when the new directory has none; returns how many.</summary>
    public static int Migrate(string oldDirectory, string newDirectory)
    {
        if (!Directory.Exists(oldDirectory) || Directory.EnumerateFiles(newDirectory, "*.xml").Any()) return 0;
        var copied = 0;
        foreach (var file in Directory.EnumerateFiles(oldDirectory, "*.xml"))
        {
            var target = Path.Combine(newDirectory, Path.GetFileName(file));
            File.Copy(file, target);
            DataDirectory.MakePrivate(target);
            copied++;
        }
        return copied;
    }

    /// <summary>The file system repository, whose key files are made owner-only (0600) as they are written.</summary>
    private sealed class PrivateKeyRepository(DirectoryInfo directory, ILoggerFactory loggers) : FileSystemXmlRepository(directory, loggers)
    {
        public override void StoreElement(XElement element, string friendlyName)
        {
            base.StoreElement(element, friendlyName);
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory.FullName, "*.xml")) DataDirectory.MakePrivate(file);
        }
    }
}
