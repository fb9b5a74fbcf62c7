namespace TrackerDcs.Web.Common;

/// <summary>
/// How the process publishes on its own broker (device status, command replies, alarms, runs). Implemented by
/// the broker (<c>Broker/MqttPublisher</c>); the areas that publish take this interface, so none of them
/// depends on the broker, and a test can stand in for it.
/// </summary>
public interface IMqttPublisher
{
    /// <summary>Publishes at QoS 1; waits for the broker to have started.</summary>
    Task PublishAsync(string topic, string payload, bool retain = false, byte[]? correlationData = null,
        CancellationToken cancellationToken = default);
}
