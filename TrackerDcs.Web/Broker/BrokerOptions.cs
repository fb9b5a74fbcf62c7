using System.Net;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Broker;

/// <summary>What an anonymous client may do.</summary>
public enum AnonymousAccess { Refuse, ReadOnly, Sensor }

/// <summary>Section "Broker".</summary>
public sealed class BrokerOptions : ISettingsSection
{
    public static string Section => "Broker";
    public static IReadOnlyList<(string Old, string New)> Renamed => [(nameof(CommunicationTimeoutSeconds), nameof(CommunicationTimeout))];

    /// <summary>Largest MQTT packet accepted; a bigger one closes the connection before it is buffered.</summary>
    public int MaxPacketSize { get; set; } = 1024 * 1024;
    /// <summary>MQTT connections over TCP, TLS and WebSocket together; when reached, one not yet logged in makes room.</summary>
    public int MaxConnections { get; set; } = 1000;
    /// <summary>How long a new connection may take to send its CONNECT before it is closed.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>New connections one address may open per second, after a burst of <see cref="ConnectionBurstPerAddress"/>.</summary>
    public double ConnectionsPerAddressPerSecond { get; set; } = 10;
    public int ConnectionBurstPerAddress { get; set; } = 100;
    /// <summary>Messages queued for one slow subscriber before the oldest are dropped.</summary>
    public int MaxPendingMessagesPerClient { get; set; } = 100_000;
    /// <summary>
    /// How long a persistent session (3.1.1 clean session 0; MQTT 5 session expiry above 0) is kept after its client
    /// disconnects: the 3.1.1 session's lifetime, and the cap on the one an MQTT 5 client asks for.
    /// </summary>
    public TimeSpan PersistentSessionExpiry { get; set; } = TimeSpan.FromDays(1);
    /// <summary>How long a client may take to send CONNECT, or to acknowledge a packet.</summary>
    public TimeSpan CommunicationTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Renamed to <see cref="CommunicationTimeout"/>; still read from older settings files.</summary>
    public double? CommunicationTimeoutSeconds { get; set; }
    /// <summary>Retained messages and subscriptions per account, by role.</summary>
    public BrokerQuotas Quotas { get; set; } = new();
    /// <summary>How far QoS 1/2 publishers may run ahead of a slow subscriber.</summary>
    public FlowControlOptions FlowControl { get; set; } = new();
    public AnonymousAccess Anonymous { get; set; } = AnonymousAccess.Refuse;
    /// <summary>Topic prefixes anonymous sensor boxes may publish below.</summary>
    public List<string> AnonymousSensorPrefixes { get; set; } = ["ESP"];
    /// <summary>Networks (CIDR) anonymous clients may come from; empty means any.</summary>
    public List<string> AnonymousNetworks { get; set; } = [];

    public IEnumerable<SettingsProblem> Problems()
    {
        if (MaxPacketSize < 1) yield return new("Broker:MaxPacketSize", $"{MaxPacketSize} must be positive");
        if (MaxConnections < 1) yield return new("Broker:MaxConnections", $"{MaxConnections} must be positive");
        if (MaxPendingMessagesPerClient < 1) yield return new("Broker:MaxPendingMessagesPerClient", $"{MaxPendingMessagesPerClient} must be positive");
        if (PersistentSessionExpiry <= TimeSpan.Zero) yield return new("Broker:PersistentSessionExpiry", $"{PersistentSessionExpiry} must be positive");
        if (ConnectTimeout <= TimeSpan.Zero) yield return new("Broker:ConnectTimeout", $"{ConnectTimeout} must be positive");
        if (ConnectionsPerAddressPerSecond <= 0) yield return new("Broker:ConnectionsPerAddressPerSecond", $"{ConnectionsPerAddressPerSecond} must be positive");
        if (ConnectionBurstPerAddress < 1) yield return new("Broker:ConnectionBurstPerAddress", $"{ConnectionBurstPerAddress} must be positive");
        if (CommunicationTimeout <= TimeSpan.Zero) yield return new("Broker:CommunicationTimeout", $"{CommunicationTimeout} must be positive");
        foreach (var problem in Quotas.Problems()) yield return problem;
        foreach (var problem in FlowControl.Problems()) yield return problem;
        for (var i = 0; i < AnonymousNetworks.Count; i++)
            if (!IPNetwork.TryParse(AnonymousNetworks[i], out _))
                yield return new($"Broker:AnonymousNetworks:{i}", $"'{AnonymousNetworks[i]}' is not a network in CIDR notation (e.g. 192.168.1.0/24)");
    }
}
