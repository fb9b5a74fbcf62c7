using System.Net;
using MQTTnet.AspNetCore;
using TrackerDcs.Web.Broker;

namespace TrackerDcs.Web.Hosting;

public static class KestrelSetup
{
    /// <summary>
    /// Kestrel terminates TLS for everything: HTTPS (panel, WSS at /mqtt), MQTT over TLS; plain HTTP only
    /// redirects, plain MQTT listens on loopback unless told otherwise.
    /// </summary>
    /// <param name="endpoints">Checked already (<see cref="EndpointOptions.Problems"/>): Kestrel is configured before the host is built.</param>
    public static void ConfigureTrackerDcsEndpoints(this WebApplicationBuilder builder, EndpointOptions endpoints)
    {
        var (http, https, mqtt, mqtts) = (IPAddress.Parse(endpoints.HttpAddress), IPAddress.Parse(endpoints.HttpsAddress),
            IPAddress.Parse(endpoints.MqttAddress), IPAddress.Parse(endpoints.MqttTlsAddress));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var services = kestrel.ApplicationServices;
            var certificate = services.GetRequiredService<ServerCertificate>().Certificate;
            var guard = services.GetRequiredService<MqttConnectionGuard>();
            if (endpoints.HttpPort > 0) kestrel.Listen(http, endpoints.HttpPort);
            if (endpoints.HttpsPort > 0) kestrel.Listen(https, endpoints.HttpsPort, l => l.UseHttps(certificate));
            if (endpoints.MqttPort > 0)
                kestrel.Listen(mqtt, endpoints.MqttPort, l =>
                {
                    l.Use(guard.Wrap);
                    l.UseMqtt();
                });
            if (endpoints.MqttTlsPort > 0)
                kestrel.Listen(mqtts, endpoints.MqttTlsPort, l =>
                {
                    l.UseHttps(certificate);
                    l.Use(guard.Wrap);
                    l.UseMqtt();
                });
        });
    }
}
