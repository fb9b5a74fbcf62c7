namespace TrackerDcs.Web.Broker;

/// <summary>What an anonymous client may do.</summary>
public enum AnonymousAccess { Refuse, ReadOnly, Sensor }

/// <summary>Section "Broker".</summary>
public sealed class BrokerOptions
{
    /// <summary>Largest MQTT packet accepted; a bigger one closes the connection before it is buffered.</summary>
    public int MaxPacketSize { get; set; } = 1024 * 1024;
    public int MaxConnections { get; set; } = 1000;
    /// <summary>Messages queued for one slow subscriber before the oldest are dropped.</summary>
    public int MaxPendingMessagesPerClient { get; set; } = 100_000;
    /// <summary>How long a client may take to send CONNECT, or to acknowledge a packet.</summary>
    public int CommunicationTimeoutSeconds { get; set; } = 10;
    public AnonymousAccess Anonymous { get; set; } = AnonymousAccess.Refuse;
    /// <summary>Topic prefixes anonymous sensor boxes may publish below.</summary>
    public List<string> AnonymousSensorPrefixes { get; set; } = ["ESP"];
    /// <summary>Networks (CIDR) anonymous clients may come from; empty means any.</summary>
    public List<string> AnonymousNetworks { get; set; } = [];
}
