using System.Net;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Broker;

/// <summary>Who, if anybody, may connect without a name: read-only clients or sensor boxes, optionally only from given networks.</summary>
public sealed class AnonymousPolicy
{
    private readonly BrokerOptions _options;
    private readonly IReadOnlyList<IPNetwork> _networks;

    public AnonymousPolicy(BrokerOptions options)
    {
        _options = options;
        // Checked at start (BrokerOptions.Problems).
        _networks = [.. options.AnonymousNetworks.Select(IPNetwork.Parse)];
    }

    /// <summary>The principal of an anonymous client from this address, or null when refused.</summary>
    public BrokerPrincipal? Admit(EndPoint? remote)
    {
        if (_options.Anonymous == AnonymousAccess.Refuse) return null;
        if (_networks.Count > 0)
        {
            if (remote is not IPEndPoint ip) return null;
            var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
            if (!_networks.Any(n => n.Contains(address))) return null;
        }
        return _options.Anonymous == AnonymousAccess.Sensor
            ? new BrokerPrincipal("anonymous", Role.Device, _options.AnonymousSensorPrefixes)
            : new BrokerPrincipal("anonymous", Role.Viewer, []);
    }
}
