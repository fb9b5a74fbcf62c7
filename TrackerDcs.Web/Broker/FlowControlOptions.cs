using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Section "Broker:FlowControl": how far a QoS 1/2 publisher may run ahead of a slow subscriber before its
/// publishes wait for it (<see cref="SubscriberFlowControl"/>).
/// </summary>
public sealed class FlowControlOptions
{
    /// <summary>
    /// Messages queued for one subscriber, or sent to it and not yet acknowledged, beyond which QoS 1/2 publishes to it wait;
    /// 0 turns flow control off (publishers are acknowledged at once, and the queue grows behind the broker).
    /// </summary>
    public int MaxUnacknowledged { get; set; } = 1000;
    /// <summary>
    /// The longest one publish waits. A subscriber that acknowledges nothing for that long is not waited for again
    /// until it acknowledges: one stalled client never holds the others for more than this.
    /// </summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<SettingsProblem> Problems()
    {
        if (MaxUnacknowledged < 0) yield return new("Broker:FlowControl:MaxUnacknowledged", $"{MaxUnacknowledged} must be 0 (off) or more");
        if (MaxWait <= TimeSpan.Zero || MaxWait > TimeSpan.FromSeconds(10))
            yield return new("Broker:FlowControl:MaxWait", $"{MaxWait} must be above 0 and at most 10 s: a publisher waits this long at most");
    }
}
