using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Broker;

/// <summary>Who is behind an MQTT session, decided once at connect and kept in the session items.</summary>
public sealed record BrokerPrincipal(string User, Role Role, IReadOnlyList<string> TopicPrefixes)
{
    public const string SessionKey = "trackerdcs.principal";

    /// <summary>The process itself, publishing device status.</summary>
    public static readonly BrokerPrincipal Process = new("trackerdcs", Role.Admin, []);
}
