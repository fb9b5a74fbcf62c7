using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Hosting;

/// <summary>Section "Tls". Either a PFX (with password) or a PEM certificate and key; neither: self-signed.</summary>
public sealed class TlsOptions : ISettingsSection
{
    public static string Section => "Tls";

    public string? PfxPath { get; set; }
    public string? PfxPassword { get; set; }
    public string? CertificatePemPath { get; set; }
    public string? KeyPemPath { get; set; }

    public bool HasPfx => !string.IsNullOrWhiteSpace(PfxPath);
    public bool HasPem => !string.IsNullOrWhiteSpace(CertificatePemPath) || !string.IsNullOrWhiteSpace(KeyPemPath);

    /// <summary>The files named must exist; whether they hold a usable certificate is found when it is loaded at start.</summary>
    public IEnumerable<SettingsProblem> Problems()
    {
        (string Name, string? Path)[] files = HasPfx ? [(nameof(PfxPath), PfxPath)]
            : HasPem ? [(nameof(CertificatePemPath), CertificatePemPath), (nameof(KeyPemPath), KeyPemPath)]
            : [];
        foreach (var (name, path) in files)
        {
            if (string.IsNullOrWhiteSpace(path)) yield return new($"Tls:{name}", "is required with the other TLS settings given");
            else if (!File.Exists(System.IO.Path.GetFullPath(path))) yield return new($"Tls:{name}", $"certificate file '{System.IO.Path.GetFullPath(path)}' does not exist");
        }
    }
}
