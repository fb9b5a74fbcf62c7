using System.Text;
using System.Text.Json;

namespace TrackerDcs.TimeSeriesBench;

/// <summary>
/// The bench's messages: dcs/channels payloads as the crate publishes them, one per channel and millisecond,
/// and the clock that stamps them, so no point overwrites another.
/// </summary>
public sealed class Workload(int count, int channels = 100)
{
    public int Count { get; } = count;
    public int Channels { get; } = channels;
    public byte[][] Payloads { get; } = Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes(Payload(i, channels))).ToArray();

    private static string Payload(int i, int channels) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["id"] = (i % channels).ToString(), ["module"] = $"module_{i % channels}", ["lv_board"] = i % channels / 8, ["lv_channel"] = i % 8,
        ["hv_board"] = 12 + i % channels / 12, ["hv_channel"] = i % 12, ["lv_vMon"] = 12 + i % 1000 * 1e-3, ["lv_iMon"] = 1.5, ["lv_status"] = 1,
        ["hv_vMon"] = 200 - i % 100 * 1e-2, ["hv_iMon"] = 0.35, ["hv_status"] = 1, ["fsm_state"] = "HV_ON",
    });
}

/// <summary>Every message its own millisecond per channel: the writer's tap asks once per message.</summary>
public sealed class MessageClock(long startMs, int channels) : TimeProvider
{
    private long _calls;
    public long StartMs => startMs;
    public long TimeOf(long message) => startMs + message / channels;
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(TimeOf(Interlocked.Increment(ref _calls) - 1));
}
