using System.Buffers;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// A persistent session as <see cref="DurableSessions"/> keeps it on disk: its user, how long it outlives its
/// connection, its subscriptions and the QoS 1/2 messages queued for it, oldest first.
/// </summary>
public sealed class StoredSession(string clientId, string user, TimeSpan expiry)
{
    public string ClientId { get; } = clientId;
    public string User { get; set; } = user;
    public TimeSpan Expiry { get; set; } = expiry;
    /// <summary>When it expires while its client is away (null while connected, or not yet known).</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
    /// <summary>Subscriptions: filter, granted QoS.</summary>
    public Dictionary<string, MqttQualityOfServiceLevel> Filters { get; } = new(StringComparer.Ordinal);
    /// <summary>Queued messages by their journal key (which orders them), oldest first.</summary>
    public SortedDictionary<string, MqttApplicationMessage> Queue { get; } = new(StringComparer.Ordinal);
    /// <summary>
    /// True once MQTTnet holds the session (created or resumed since this start): MQTTnet then queues its messages
    /// and they are journaled as they are queued. False for a session read back from disk whose client has not come
    /// back yet: its messages are matched against <see cref="Filters"/> here.
    /// </summary>
    public bool Live { get; set; }
    /// <summary>
    /// The claim on the client id held for the user of a session read back from disk, until its client comes back:
    /// the ownership map starts empty, and without it another user could connect with the id and be handed the queue.
    /// </summary>
    public BrokerPrincipal? Claim { get; set; }

    /// <summary>The QoS a message on <paramref name="topic"/> is delivered with: the highest granted by a matching filter, at most the message's; null when none matches.</summary>
    public MqttQualityOfServiceLevel? DeliveryQos(string topic, MqttQualityOfServiceLevel published)
    {
        MqttQualityOfServiceLevel? best = null;
        foreach (var (filter, granted) in Filters)
            if (MqttTopicFilterComparer.Compare(topic, filter) == MqttTopicFilterCompareResult.IsMatch && (best is null || granted > best))
                best = granted;
        return best is { } qos ? (MqttQualityOfServiceLevel)Math.Min((int)qos, (int)published) : null;
    }

    /// <summary>A queued message as a journal payload: topic, then payload (never empty, which the journal reads as a delete).</summary>
    public static byte[] Encode(MqttApplicationMessage message)
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(message.Topic);
            writer.Write(message.Payload.ToArray());
        }
        return body.ToArray();
    }

    public static (string Topic, byte[] Payload) Decode(byte[] data)
    {
        using var reader = new BinaryReader(new MemoryStream(data), Encoding.UTF8);
        var topic = reader.ReadString();
        return (topic, reader.ReadBytes(data.Length - (int)reader.BaseStream.Position));
    }
}
