using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace TrackerDcs.Web.Broker;

/// <summary>How the process publishes (device status, command replies): injected into the embedded broker.</summary>
public sealed class MqttPublisher(MqttServer server)
{
    public const string ClientId = "trackerdcs";

    public Task PublishAsync(string topic, string payload, bool retain = false,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, byte[]? correlationData = null,
        CancellationToken cancellationToken = default)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(qos)
            .WithCorrelationData(correlationData)
            .Build();
        // Before the broker starts or after it stops nobody can receive; device services publish their
        // retained state again when they start, so nothing a client needs is lost here.
        if (!server.IsStarted) return Task.CompletedTask;
        return server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message)
        {
            SenderClientId = ClientId,
            CustomSessionItems = new Dictionary<object, object> { [BrokerPrincipal.SessionKey] = BrokerPrincipal.Process },
        }, cancellationToken);
    }
}
