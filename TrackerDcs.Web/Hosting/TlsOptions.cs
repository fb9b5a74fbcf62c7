namespace TrackerDcs.Web.Hosting;

/// <summary>Section "Tls". Either a PFX (with password) or a PEM certificate and key; neither: self-signed.</summary>
public sealed class TlsOptions
{
    public string? PfxPath { get; set; }
    public string? PfxPassword { get; set; }
    public string? CertificatePemPath { get; set; }
    public string? KeyPemPath { get; set; }
}
