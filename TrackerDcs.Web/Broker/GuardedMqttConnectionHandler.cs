using Microsoft.AspNetCore.Connections;
using MQTTnet.AspNetCore;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// MQTT over WebSocket (/mqtt) through the same <see cref="MqttConnectionGuard"/> as TCP and TLS: packet-size limit,
/// protocol checks, connection count, CONNECT time-out, per-address rate. Without it a CONNECT declaring 256 MiB
/// was buffered by MQTTnet until its time-out.
/// </summary>
public sealed class GuardedMqttConnectionHandler(MqttConnectionHandler mqtt, MqttConnectionGuard guard) : ConnectionHandler
{
    private readonly ConnectionDelegate _guarded = guard.Wrap(mqtt.OnConnectedAsync);

    public override Task OnConnectedAsync(ConnectionContext connection) => _guarded(connection);
}
