using System.Net;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Hosting;

/// <summary>Section "Endpoints": where Kestrel listens. A port of 0 turns that endpoint off.</summary>
public sealed class EndpointOptions : ISettingsSection
{
    public static string Section => "Endpoints";

    public string HttpAddress { get; set; } = "0.0.0.0";
    public int HttpPort { get; set; } = 5000;
    public string HttpsAddress { get; set; } = "0.0.0.0";
    public int HttpsPort { get; set; } = 5001;
    /// <summary>Plain MQTT carries passwords in clear text: loopback only unless the lab decides otherwise.</summary>
    public string MqttAddress { get; set; } = "127.0.0.1";
    public int MqttPort { get; set; } = 1883;
    public string MqttTlsAddress { get; set; } = "0.0.0.0";
    public int MqttTlsPort { get; set; } = 8883;
    /// <summary>
    /// Strict-Transport-Security on HTTPS answers. It binds the host name, every port: a browser that has seen the
    /// panel under a name then opens nothing on that name over plain HTTP (a Grafana on :3000, say). False for a
    /// host that serves such pages under the same name.
    /// </summary>
    public bool Hsts { get; set; } = true;

    public IEnumerable<SettingsProblem> Problems()
    {
        var problems = new List<SettingsProblem>();
        Settings.RequirePort("Endpoints:HttpPort", HttpPort, problems);
        Settings.RequirePort("Endpoints:HttpsPort", HttpsPort, problems);
        Settings.RequirePort("Endpoints:MqttPort", MqttPort, problems);
        Settings.RequirePort("Endpoints:MqttTlsPort", MqttTlsPort, problems);
        foreach (var (key, text) in new[] { ("HttpAddress", HttpAddress), ("HttpsAddress", HttpsAddress), ("MqttAddress", MqttAddress), ("MqttTlsAddress", MqttTlsAddress) })
            if (!IPAddress.TryParse(text, out _)) problems.Add(new($"Endpoints:{key}", $"'{text}' is not an IP address"));
        return problems;
    }
}
