using System.Net;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// Where the simulated IOC listens. The defaults keep a demo off the lab network: loopback only, and a
/// port that is not the CA default 5064, so a real client searching for the crate never finds the simulator.
/// </summary>
public sealed class CaServerOptions
{
    public const int DefaultPort = 15064;

    public IPAddress BindAddress { get; set; } = IPAddress.Loopback;
    /// <summary>
    /// UDP search port (EPICS_CAS_SERVER_PORT); the TCP port too unless <see cref="TcpPort"/> is set.
    /// 0 lets the system pick the TCP port and uses the same number for UDP.
    /// </summary>
    public int Port { get; set; } = DefaultPort;
    /// <summary>TCP port for virtual circuits; 0 uses <see cref="Port"/>. Search replies announce it.</summary>
    public int TcpPort { get; set; }
    /// <summary>Beacon destination port (the repeater port, EPICS_CA_REPEATER_PORT); 0 means <see cref="Port"/> + 1.</summary>
    public int BeaconPort { get; set; }
    /// <summary>EPICS_CAS_BEACON_PERIOD: beacons start 20 ms apart and double up to this period.</summary>
    public TimeSpan BeaconPeriod { get; set; } = TimeSpan.FromSeconds(15);
}
