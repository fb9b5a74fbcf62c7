using System.Globalization;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Health;

/// <summary>
/// Section "Watchdog": an MQTT broker outside this process (the lab's Mosquitto, say) that holds the
/// heartbeat's last will. Empty Broker: no external watchdog, only dcs/heartbeat on the embedded broker.
/// </summary>
public sealed class WatchdogOptions : ISettingsSection
{
    public static string Section => "Watchdog";
    public static IReadOnlyList<(string Old, string New)> Renamed => [(nameof(KeepAliveSeconds), nameof(KeepAlive))];

    /// <summary>mqtt://host[:1883] or mqtts://host[:8883].</summary>
    public string Broker { get; set; } = "";
    public string User { get; set; } = "";
    public string Password { get; set; } = "";
    /// <summary>PEM file of the CA that signed the broker's certificate (mqtts); empty: the system's trust store.</summary>
    public string CaFile { get; set; } = "";
    public string ClientId { get; set; } = "trackerdcs-watchdog";
    /// <summary>A hung process (no crash, no closed socket) is declared gone after 1.5 times this.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Renamed to <see cref="KeepAlive"/>; still read from older settings files.</summary>
    public double? KeepAliveSeconds { get; set; }

    public bool Enabled => Broker.Length > 0;

    /// <summary>The broker's address (checked by <see cref="Problems"/>).</summary>
    public (string Host, int Port, bool Tls) Endpoint()
    {
        var uri = new Uri(Broker);
        var tls = uri.Scheme == "mqtts";
        return (uri.Host, uri.IsDefaultPort || uri.Port < 0 ? (tls ? 8883 : 1883) : uri.Port, tls);
    }

    /// <summary>Checked only when there is a broker: without one, no watchdog runs.</summary>
    public IEnumerable<SettingsProblem> Problems()
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(Broker, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts") || uri.Host.Length == 0)
            yield return new("Watchdog:Broker", $"'{Broker}' is not mqtt://host[:port] or mqtts://host[:port]");
        if (KeepAlive < TimeSpan.FromSeconds(1) || KeepAlive > TimeSpan.FromHours(1))
            yield return new("Watchdog:KeepAlive", $"{KeepAlive.TotalSeconds.ToString(CultureInfo.InvariantCulture)} is outside 1..3600 s");
        if (CaFile.Length > 0 && !File.Exists(CaFile))
            yield return new("Watchdog:CaFile", $"file '{CaFile}' does not exist");
    }
}
