using System.Diagnostics;

namespace TrackerDcs.Bench;

/// <summary>
/// Debian's Mosquitto, the reference: anonymous, queues deep enough not to drop QoS 1; without persistence, or
/// (<paramref name="persistence"/>) with `persistence true`, which keeps retained messages in memory and writes them
/// to its database file every `autosave_interval` (30 minutes by default) and at a clean shutdown, never per message.
/// </summary>
public sealed class MosquittoUnderTest(bool persistence = false)
    : BrokerUnderTest(persistence ? PersistentLabel : Label, "trackerdcs-bench-mosquitto-")
{
    public const string Label = "Mosquitto";
    public const string PersistentLabel = "Mosquitto (persistence true)";

    protected override ProcessStartInfo StartInfo() => persistence
        ? MosquittoBroker.StartInfo(Directory, Port, "max_queued_messages 100000", "persistence true", $"persistence_location {Directory}/")
        : MosquittoBroker.StartInfo(Directory, Port, "max_queued_messages 100000");
}
