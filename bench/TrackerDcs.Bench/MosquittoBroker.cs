using System.Diagnostics;

namespace TrackerDcs.Bench;

/// <summary>Debian's Mosquitto, the reference: anonymous, no persistence, queues deep enough not to drop QoS 1.</summary>
public sealed class MosquittoBroker() : BrokerUnderTest(Label, "trackerdcs-bench-mosquitto-")
{
    public const string Label = "Mosquitto";
    private const string Binary = "/usr/sbin/mosquitto";

    protected override ProcessStartInfo StartInfo()
    {
        if (!File.Exists(Binary)) throw new FileNotFoundException($"{Binary} is missing (apt-get install mosquitto)");
        var config = Path.Combine(Directory, "mosquitto.conf");
        File.WriteAllLines(config,
        [
            $"listener {Port} 127.0.0.1",
            "allow_anonymous true",
            "max_queued_messages 100000",
            "persistence false",
        ]);
        var info = new ProcessStartInfo(Binary) { WorkingDirectory = Directory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(config);
        return info;
    }
}
