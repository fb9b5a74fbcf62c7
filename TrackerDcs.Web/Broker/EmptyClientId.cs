using System.Reflection;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// [MQTT-3.1.3-6] A server may accept a zero-length client id with a clean session and must then assign a
/// unique one. mosquitto_pub and mosquitto_sub connect that way by default. MQTTnet assigns
/// <see cref="ValidatingConnectionEventArgs.AssignedClientIdentifier"/> only for MQTT 5 and refuses 3.1.1
/// clients with an empty id, so for those the id is written into the CONNECT packet the event carries
/// (MQTTnet itself does the same for MQTT 5 right after this event).
/// </summary>
public static class EmptyClientId
{
    private static readonly FieldInfo? ConnectPacketField = typeof(ValidatingConnectionEventArgs)
        .GetFields(BindingFlags.Instance | BindingFlags.NonPublic)
        .FirstOrDefault(f => f.FieldType == typeof(MqttConnectPacket));

    public static void Assign(ValidatingConnectionEventArgs e)
    {
        var id = $"auto-{Guid.NewGuid():N}";
        e.AssignedClientIdentifier = id;
        if (ConnectPacketField?.GetValue(e) is MqttConnectPacket packet) packet.ClientId = id;
    }
}
