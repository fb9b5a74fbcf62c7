using TrackerDcs.Web.Common;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Hosting;

/// <summary>
/// The one certificate of HTTPS, MQTT over TLS and WSS. Loaded from the settings when given;
/// otherwise generated once for localhost and this host's name, kept in the data directory and reused,
/// so clients can trust it (the PEM beside it is what `--cafile` and `curl --cacert` take) or pin its fingerprint.
/// </summary>
public static class CertificateProvider
{
    public const string GeneratedPfx = "tls/trackerdcs.pfx";
    public const string GeneratedPem = "tls/trackerdcs.crt";

    public static X509Certificate2 Load(TlsOptions options, DataDirectory data, ILogger log)
    {
        X509Certificate2 certificate;
        string source;
        if (options.HasPfx)
        {
            source = Path.GetFullPath(options.PfxPath!);
            certificate = Guard("Tls:PfxPath", source, () => X509CertificateLoader.LoadPkcs12FromFile(source, options.PfxPassword));
        }
        else if (options.HasPem)
        {
            source = Path.GetFullPath(options.CertificatePemPath!);
            var key = Path.GetFullPath(options.KeyPemPath!);
            // Kestrel on Linux needs an exportable key: round-trip through PKCS#12.
            certificate = Guard("Tls:CertificatePemPath", source, () =>
            {
                using var pem = X509Certificate2.CreateFromPemFile(source, key);
                return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            });
        }
        else
        {
            source = data.File(GeneratedPfx);
            certificate = File.Exists(source)
                ? X509CertificateLoader.LoadPkcs12FromFile(source, null)
                : Generate(source, data.File(GeneratedPem));
        }

        if (!certificate.HasPrivateKey)
            throw new SettingsException("Tls", $"the certificate in '{source}' has no private key");
        log.LogInformation("TLS certificate {Subject} from {Path}, SHA-256 fingerprint {Fingerprint}, valid until {NotAfter:yyyy-MM-dd}",
            certificate.Subject, source, Fingerprint(certificate), certificate.NotAfter);
        return certificate;
    }

    public static string Fingerprint(X509Certificate2 certificate) =>
        Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).ToLowerInvariant();

    private static X509Certificate2 Generate(string pfxPath, string pemPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var host = Dns.GetHostName();
        var request = new CertificateRequest($"CN={host}, O=TrackerDcs", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        if (!string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) names.AddDnsName(host);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        // A self-signed server certificate that clients use as their own CA (mosquitto --cafile, curl --cacert).
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));

        Directory.CreateDirectory(Path.GetDirectoryName(pfxPath)!);
        var pfx = created.Export(X509ContentType.Pkcs12);
        File.WriteAllBytes(pfxPath, pfx);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(pfxPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(pemPath, created.ExportCertificatePem() + "\n");
        return X509CertificateLoader.LoadPkcs12(pfx, null);
    }

    private static X509Certificate2 Guard(string key, string path, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new SettingsException(key, $"cannot read certificate file '{path}': {e.Message}");
        }
    }
}
