using TrackerDcs.Web.Common;
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
    public static void ConfigureTrackerDcsEndpoints(this WebApplicationBuilder builder, EndpointOptions endpoints)
    {
        Settings.RequirePort("Endpoints:HttpPort", endpoints.HttpPort);
        Settings.RequirePort("Endpoints:HttpsPort", endpoints.HttpsPort);
        Settings.RequirePort("Endpoints:MqttPort", endpoints.MqttPort);
        Settings.RequirePort("Endpoints:MqttTlsPort", endpoints.MqttTlsPort);
        var http = Address("Endpoints:HttpAddress", endpoints.HttpAddress);
        var https = Address("Endpoints:HttpsAddress", endpoints.HttpsAddress);
        var mqtt = Address("Endpoints:MqttAddress", endpoints.MqttAddress);
        var mqtts = Address("Endpoints:MqttTlsAddress", endpoints.MqttTlsAddress);

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
        builder.Services.AddHttpsRedirection(o => o.HttpsPort = endpoints.HttpsPort);
    }

    private static IPAddress Address(string key, string text) =>
        IPAddress.TryParse(text, out var address) ? address : throw new SettingsException(key, $"'{text}' is not an IP address");
}
