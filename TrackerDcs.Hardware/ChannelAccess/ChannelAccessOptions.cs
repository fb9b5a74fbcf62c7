using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// Channel Access client settings, bound from the configuration section "ChannelAccess" and overridden by
/// the EPICS environment variables of the same meaning (EPICS Channel Access Reference Manual,
/// "Configuring CA"): EPICS_CA_ADDR_LIST, EPICS_CA_AUTO_ADDR_LIST, EPICS_CA_NAME_SERVERS,
/// EPICS_CA_SERVER_PORT, EPICS_CA_REPEATER_PORT, EPICS_CA_CONN_TMO, EPICS_CA_MAX_SEARCH_PERIOD.
/// </summary>
public sealed class ChannelAccessOptions
{
    public const string SectionName = "ChannelAccess";
    public const int DefaultServerPort = 5064;

    /// <summary>EPICS_CA_ADDR_LIST: space-separated host[:port] entries searched by UDP.</summary>
    public string AddressList { get; set; } = "";
    /// <summary>EPICS_CA_AUTO_ADDR_LIST: also search the broadcast address of every interface (EPICS default YES).</summary>
    public bool AutoAddressList { get; set; } = true;
    /// <summary>EPICS_CA_NAME_SERVERS: space-separated host[:port] entries searched over TCP.</summary>
    public string NameServers { get; set; } = "";
    /// <summary>EPICS_CA_SERVER_PORT: the port of list entries without one.</summary>
    public int ServerPort { get; set; } = DefaultServerPort;
    /// <summary>EPICS_CA_REPEATER_PORT: where beacons arrive; 0 means <see cref="ServerPort"/> + 1.</summary>
    public int RepeaterPort { get; set; }
    /// <summary>EPICS_CA_CONN_TMO: a circuit silent this long is sent an ECHO.</summary>
    public TimeSpan ConnectionTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How long an ECHO may go unanswered before the circuit is declared dead.</summary>
    public TimeSpan EchoTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>First interval between searches for a channel; it doubles after each unanswered search.</summary>
    public TimeSpan InitialSearchPeriod { get; set; } = TimeSpan.FromMilliseconds(30);
    /// <summary>EPICS_CA_MAX_SEARCH_PERIOD: the longest interval the search back-off reaches.</summary>
    public TimeSpan MaxSearchPeriod { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>CLIENT_NAME sent to servers; the OS user when empty.</summary>
    public string ClientName { get; set; } = "";
    /// <summary>HOST_NAME sent to servers; the machine name when empty.</summary>
    public string HostName { get; set; } = "";

    public int EffectiveRepeaterPort => RepeaterPort != 0 ? RepeaterPort : ServerPort + 1;

    /// <summary>Overrides every setting whose EPICS variable is set in <paramref name="environment"/>.</summary>
    public ChannelAccessOptions ApplyEnvironment(IDictionary environment)
    {
        string? Get(string name) => environment[name] as string is { Length: > 0 } v ? v.Trim() : null;
        if (Get("EPICS_CA_ADDR_LIST") is { } list) AddressList = list;
        if (Get("EPICS_CA_AUTO_ADDR_LIST") is { } auto) AutoAddressList = !auto.Equals("NO", StringComparison.OrdinalIgnoreCase);
        if (Get("EPICS_CA_NAME_SERVERS") is { } nameServers) NameServers = nameServers;
        if (Get("EPICS_CA_SERVER_PORT") is { } port) ServerPort = int.Parse(port, CultureInfo.InvariantCulture);
        if (Get("EPICS_CA_REPEATER_PORT") is { } repeater) RepeaterPort = int.Parse(repeater, CultureInfo.InvariantCulture);
        if (Get("EPICS_CA_CONN_TMO") is { } timeout) ConnectionTimeout = TimeSpan.FromSeconds(double.Parse(timeout, CultureInfo.InvariantCulture));
        if (Get("EPICS_CA_MAX_SEARCH_PERIOD") is { } period) MaxSearchPeriod = TimeSpan.FromSeconds(double.Parse(period, CultureInfo.InvariantCulture));
        return this;
    }

    /// <exception cref="ArgumentException">A setting is out of range or an address does not parse.</exception>
    public void Validate()
    {
        if (ServerPort is < 1 or > 65535) throw new ArgumentException($"{SectionName}:{nameof(ServerPort)} {ServerPort} is not a port");
        if (RepeaterPort is < 0 or > 65535) throw new ArgumentException($"{SectionName}:{nameof(RepeaterPort)} {RepeaterPort} is not a port");
        if (ConnectionTimeout <= TimeSpan.Zero || EchoTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"{SectionName}: {nameof(ConnectionTimeout)} and {nameof(EchoTimeout)} must be positive");
        if (InitialSearchPeriod <= TimeSpan.Zero || MaxSearchPeriod < InitialSearchPeriod)
            throw new ArgumentException($"{SectionName}: need 0 < {nameof(InitialSearchPeriod)} <= {nameof(MaxSearchPeriod)}");
        _ = Parse(AddressList, nameof(AddressList));
        _ = Parse(NameServers, nameof(NameServers));
    }

    /// <summary>UDP search destinations: the address list, plus interface broadcast addresses when automatic.</summary>
    public IReadOnlyList<IPEndPoint> SearchDestinations()
    {
        var destinations = Parse(AddressList, nameof(AddressList));
        if (AutoAddressList) destinations.AddRange(BroadcastAddresses().Select(a => new IPEndPoint(a, ServerPort)));
        return destinations.Distinct().ToList();
    }

    public IReadOnlyList<IPEndPoint> NameServerEndPoints() => Parse(NameServers, nameof(NameServers));

    private List<IPEndPoint> Parse(string list, string setting) =>
        list.Split([' ', '\t', ',', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(entry => ParseEntry(entry, setting)).ToList();

    private IPEndPoint ParseEntry(string entry, string setting)
    {
        var colon = entry.LastIndexOf(':');
        var host = colon < 0 ? entry : entry[..colon];
        var port = ServerPort;
        if (colon >= 0 && !int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port))
            throw new ArgumentException($"{SectionName}:{setting}: '{entry}' has no valid port");
        if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        try
        {
            return new IPEndPoint(Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork), port);
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            throw new ArgumentException($"{SectionName}:{setting}: host '{host}' does not resolve to an IPv4 address", e);
        }
    }

    private static IEnumerable<IPAddress> BroadcastAddresses() =>
        from nic in NetworkInterface.GetAllNetworkInterfaces()
        where nic.OperationalStatus == OperationalStatus.Up && nic.NetworkInterfaceType != NetworkInterfaceType.Loopback
        from unicast in nic.GetIPProperties().UnicastAddresses
        where unicast.Address.AddressFamily == AddressFamily.InterNetwork
        let address = BitConverter.ToUInt32(unicast.Address.GetAddressBytes())
        let mask = BitConverter.ToUInt32(unicast.IPv4Mask.GetAddressBytes())
        select new IPAddress(BitConverter.GetBytes(address | ~mask));
}
