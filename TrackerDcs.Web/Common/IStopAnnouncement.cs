namespace TrackerDcs.Web.Common;

/// <summary>
/// Something every MQTT client must receive when the process stops, published while all of them are still connected
/// (the heartbeat's "offline"): the broker (<c>Broker/MqttDrain</c>) calls it first thing in a stop and then lets the broker's
/// queues drain.
/// </summary>
public interface IStopAnnouncement
{
    Task AnnounceStopAsync(CancellationToken cancellationToken);
}
