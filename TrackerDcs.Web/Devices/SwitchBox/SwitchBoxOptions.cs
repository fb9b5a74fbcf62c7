using TrackerDcs.Hardware.Common;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Devices.SwitchBox;

/// <summary>How the box reaches the stand: its USB serial line (the driver), or the broker itself (a pass-through).</summary>
public enum SwitchBoxMode { Serial, Wifi }

/// <summary>
/// Section "SwitchBox". One setting, <see cref="Mode"/>, chooses between hosting the driver on the box's serial
/// line (or a TCP serial bridge, or the simulated box: Port "simulated") and the box in wifi mode, which speaks
/// MQTT itself and is declared under MqttDevices:&lt;<see cref="WifiDevice"/>&gt;.
/// </summary>
public sealed class SwitchBoxOptions : ISettingsSection
{
    public const string SectionName = "SwitchBox";
    public const string Simulated = "simulated";
    public static string Section => SectionName;

    public bool Enabled { get; set; }
    public SwitchBoxMode Mode { get; set; } = SwitchBoxMode.Serial;

    /// <summary>Serial mode: a serial device ("/dev/ttyUSB0"), a TCP serial bridge ("tcp://host:port" or "host:port"), or "simulated".</summary>
    public string Port { get; set; } = Simulated;

    /// <summary>The seed's rule: at most this many channels enabled at once.</summary>
    public int MaxChannels { get; set; } = SwitchBoxRules.DefaultMaxEnabledChannels;

    /// <summary>How often the driver asks STATUS? (and publishes SB/status at least this often).</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectDelayMin { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectDelayMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wifi mode: the name of the box's declaration under MqttDevices.</summary>
    public string WifiDevice { get; set; } = "switchbox";

    public bool IsSimulated => string.Equals(Port, Simulated, StringComparison.OrdinalIgnoreCase);

    /// <summary>What the driver needs; a simulated box's port is filled in by the link.</summary>
    public SwitchBoxSettings ToSettings(string? port = null) => new(port ?? TransportPort)
    {
        MaxEnabledChannels = MaxChannels,
        PollPeriod = PollPeriod,
        ReplyTimeout = ReplyTimeout,
        ReconnectDelayMin = ReconnectDelayMin,
        ReconnectDelayMax = ReconnectDelayMax,
    };

    /// <summary>The port as the line transport reads it: "tcp://host:port" becomes "host:port".</summary>
    private string TransportPort => Port.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase) ? Port["tcp://".Length..] : Port;

    public IEnumerable<SettingsProblem> Problems()
    {
        if (!Enabled) yield break;
        if (!Enum.IsDefined(Mode)) yield return new($"{SectionName}:Mode", $"'{Mode}' is not Serial or Wifi");
        if (Mode == SwitchBoxMode.Wifi)
        {
            if (string.IsNullOrWhiteSpace(WifiDevice)) yield return new($"{SectionName}:WifiDevice", "is empty: name the box's declaration under MqttDevices");
            yield break;
        }
        if (!IsSimulated && (string.IsNullOrWhiteSpace(Port) || !Transports.IsValidPort(TransportPort)))
            yield return new($"{SectionName}:Port", $"'{Port}' is neither a serial device path, tcp://host:port, host:port nor \"{Simulated}\"");
        // The driver's own checks, each named by its property: prefixed with the section (MaxEnabledChannels is MaxChannels here).
        foreach (var problem in ToSettings(IsSimulated ? "127.0.0.1:1" : null).Validate().Where(p => !p.StartsWith("Port ", StringComparison.Ordinal)))
        {
            var key = problem.Split(' ', 2)[0].Replace(nameof(SwitchBoxSettings.MaxEnabledChannels), nameof(MaxChannels));
            yield return new($"{SectionName}:{key}", problem.Replace(nameof(SwitchBoxSettings.MaxEnabledChannels), nameof(MaxChannels)));
        }
    }
}
