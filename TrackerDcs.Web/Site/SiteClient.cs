using MQTTnet;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Site;

/// <summary>How a stand's uplink and the site instance connect to a node of the site's cluster: the same protocol, credentials and TLS.</summary>
public static class SiteClient
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    public static MqttClientOptions Options(SiteOptions options, (string Host, int Port) endpoint, string clientId)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithClientId(clientId)
            // RabbitMQ 3.10's MQTT plugin speaks 3.1.1 only.
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(ConnectTimeout)
            .WithCleanSession()
            .WithCredentials(options.User, options.Password);
        if (options.Tls) builder.WithTlsTrusting(options.CaFile);
        return builder.Build();
    }

    /// <summary>
    /// A client id new at each connection: after a SIGKILL of a node, the same client id was refused on the next node
    /// for 30 s and more (see <see cref="SiteUplink"/>); clean sessions keep nothing at the broker, so nothing is lost by it.
    /// </summary>
    public static string ConnectionClientId(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];
}
