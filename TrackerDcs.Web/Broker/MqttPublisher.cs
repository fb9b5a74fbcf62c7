using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Broker;

/// <summary>How the process publishes (device status, command replies): injected into the embedded broker.</summary>
public sealed class MqttPublisher : IMqttPublisher
{
    public const string ClientId = "trackerdcs";
    private readonly MqttServer _server;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MqttPublisher(MqttServer server)
    {
        _server = server;
        // The hosted broker starts once the application has started, after the device services: their first
        // status messages wait for it instead of being lost.
        server.StartedAsync += _ =>
        {
            _started.TrySetResult();
            return Task.CompletedTask;
        };
        if (server.IsStarted) _started.TrySetResult();
    }

    public async Task PublishAsync(string topic, string payload, bool retain = false, byte[]? correlationData = null,
        CancellationToken cancellationToken = default)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithCorrelationData(correlationData)
            .Build();
        await _started.Task.WaitAsync(cancellationToken);
        await _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message)
        {
            SenderClientId = ClientId,
            CustomSessionItems = new Dictionary<object, object> { [BrokerPrincipal.SessionKey] = BrokerPrincipal.Process },
        }, cancellationToken);
    }
}
