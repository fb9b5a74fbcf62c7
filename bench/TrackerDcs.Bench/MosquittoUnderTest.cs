using System.Diagnostics;

namespace TrackerDcs.Bench;

/// <summary>Debian's Mosquitto, the reference: anonymous, no persistence, queues deep enough not to drop QoS 1.</summary>
public sealed class MosquittoUnderTest() : BrokerUnderTest(Label, "trackerdcs-bench-mosquitto-")
{
    public const string Label = "Mosquitto";

    protected override ProcessStartInfo StartInfo() => MosquittoBroker.StartInfo(Directory, Port, "max_queued_messages 100000");
}
