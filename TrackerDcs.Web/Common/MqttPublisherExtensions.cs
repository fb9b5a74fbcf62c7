namespace TrackerDcs.Web.Common;

public static class MqttPublisherExtensions
{
    /// <summary>
    /// Publishes, and logs rather than throws when it fails: for a controller (runs, procedures) whose state must go
    /// on changing while the broker is stopping or its client-facing side misbehaves.
    /// </summary>
    public static async Task TryPublishAsync(this IMqttPublisher publisher, ILogger log, string topic, string payload, bool retain,
        CancellationToken ct = default)
    {
        try
        {
            await publisher.PublishAsync(topic, payload, retain, cancellationToken: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not publish {Topic}", topic);
        }
    }
}
