using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Health;

/// <summary>
/// Section "Watchdog": an MQTT broker outside this process (the lab's Mosquitto, say) that holds the
/// heartbeat's last will. Empty Broker: no external watchdog, only dcs/heartbeat on the embedded broker.
/// </summary>
public sealed class WatchdogOptions
{
    /// <summary>mqtt://host[:1883] or mqtts://host[:8883].</summary>
    public string Broker { get; set; } = "";
    public string User { get; set; } = "";
    public string Password { get; set; } = "";
    /// <summary>PEM file of the CA that signed the broker's certificate (mqtts); empty: the system's trust store.</summary>
    public string CaFile { get; set; } = "";
    public string ClientId { get; set; } = "trackerdcs-watchdog";
    /// <summary>A hung process (no crash, no closed socket) is declared gone after 1.5 times this.</summary>
    public int KeepAliveSeconds { get; set; } = 10;

    public bool Enabled => Broker.Length > 0;

    /// <summary>The broker's address, checked: an error names the key.</summary>
    public (string Host, int Port, bool Tls) Endpoint()
    {
        if (!Uri.TryCreate(Broker, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts") || uri.Host.Length == 0)
            throw new SettingsException("Watchdog:Broker", $"'{Broker}' is not mqtt://host[:port] or mqtts://host[:port]");
        var tls = uri.Scheme == "mqtts";
        if (KeepAliveSeconds is < 1 or > 3600)
            throw new SettingsException("Watchdog:KeepAliveSeconds", $"{KeepAliveSeconds} is outside 1..3600 s");
        if (CaFile.Length > 0 && !File.Exists(CaFile))
            throw new SettingsException("Watchdog:CaFile", $"file '{CaFile}' does not exist");
        return (uri.Host, uri.IsDefaultPort || uri.Port < 0 ? (tls ? 8883 : 1883) : uri.Port, tls);
    }
}
