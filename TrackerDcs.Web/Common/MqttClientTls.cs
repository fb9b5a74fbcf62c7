using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace TrackerDcs.Web.Common;

/// <summary>TLS for the process's own MQTT clients (the watchdog, the site uplink and the site instance).</summary>
public static class MqttClientTls
{
    /// <summary>
    /// TLS trusting the authorities in <paramref name="caFile"/> (PEM) when one is given, as a private CA is the usual
    /// case for a broker on a lab network; the system's store otherwise.
    /// </summary>
    public static MqttClientOptionsBuilder WithTlsTrusting(this MqttClientOptionsBuilder builder, string caFile) => builder.WithTlsOptions(tls =>
    {
        tls.UseTls();
        if (caFile.Length > 0)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(caFile);
            tls.WithTrustChain(authorities);
        }
    });
}
