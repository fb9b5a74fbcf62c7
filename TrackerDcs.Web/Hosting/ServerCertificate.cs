using System.Security.Cryptography.X509Certificates;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Hosting;

/// <summary>The certificate shared by HTTPS, MQTT over TLS and WSS, loaded once.</summary>
public sealed class ServerCertificate(TlsOptions options, DataDirectory data, ILogger<ServerCertificate> log)
{
    private readonly Lazy<X509Certificate2> _certificate = new(() => CertificateProvider.Load(options, data, log));

    public X509Certificate2 Certificate => _certificate.Value;
}
