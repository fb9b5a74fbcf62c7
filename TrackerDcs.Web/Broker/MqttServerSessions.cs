using MQTTnet.Server;

namespace TrackerDcs.Web.Broker;

public static class MqttServerSessions
{
    /// <summary>
    /// One client's session, or null when it has none. MQTTnet looks sessions up only as a list of all of them, each
    /// wrapped in a status object that reads the live session: call it once per connection, not per message.
    /// </summary>
    public static async Task<MqttSessionStatus?> SessionAsync(this MqttServer server, string clientId) =>
        (await server.GetSessionsAsync()).FirstOrDefault(s => s.Id == clientId);
}
