using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Tests.Panel;

/// <summary>What the annunciator counts (issue 20, item 1): in-process, on the alarm records themselves.</summary>
public sealed class AlarmSummaryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 2, 14, 7, TimeSpan.Zero);

    private static Alarm Major(string key, int minute) =>
        new(key, key.Split(':')[0], key.Split(':')[1], AlarmSeverity.Major, $"{key} message", "guidance", T0.AddMinutes(minute));

    private static Alarm Warning(string key, int minute) => Major(key, minute) with { Severity = AlarmSeverity.Warning };

    [Fact]
    public void Shelved_alarms_are_counted_apart_not_as_waiting_and_acknowledged_ones_do_not_wait()
    {
        var summary = AlarmSummary.Of([
            Major("caen.trip:0", 1),
            Major("julabo.fault:julabo", 2) with { Acknowledged = T0.AddMinutes(3), AcknowledgedBy = "operator" },
            Major("caen.trip:1", 4) with { ShelvedUntil = T0.AddHours(1), ShelvedBy = "operator", ShelveReason = "module removed" },
            Warning("sensors.silent:ESP05", 5),
            // Latched: its condition ended, nobody has acknowledged it yet; it still waits.
            Warning("interlock.hv:all", 6) with { Latching = true, Cleared = T0.AddMinutes(7) },
        ]);
        Assert.Equal(3, summary.Major);
        Assert.Equal(2, summary.Warning);
        Assert.Equal(3, summary.Unacknowledged);
        Assert.Equal(1, summary.Shelved);
        Assert.Equal("caen.trip:0", summary.NewestMajor?.Key);
    }

    [Fact]
    public void The_newest_waiting_major_alarm_is_announced_and_none_when_every_major_one_was_answered()
    {
        var two = AlarmSummary.Of([Major("caen.trip:0", 1), Major("caen.trip:3", 9), Warning("sensors.silent:ESP05", 12)]);
        Assert.Equal("caen.trip:3", two.NewestMajor?.Key);

        var answered = AlarmSummary.Of([Major("caen.trip:0", 1) with { Acknowledged = T0 }, Warning("sensors.silent:ESP05", 12)]);
        Assert.Null(answered.NewestMajor);
        Assert.Equal(1, answered.Unacknowledged);
        Assert.Null(AlarmSummary.None.NewestMajor);
        Assert.Equal(0, AlarmSummary.None.Major + AlarmSummary.None.Warning + AlarmSummary.None.Unacknowledged);
    }

    [Fact]
    public void Only_a_major_alarm_that_was_not_waiting_before_calls_for_the_tone()
    {
        var before = AlarmSummary.Of([Major("caen.trip:0", 1)]);
        Assert.False(AlarmSummary.Of([Major("caen.trip:0", 1), Warning("sensors.silent:ESP05", 2)]).HasNewMajorSince(before));
        Assert.True(AlarmSummary.Of([Major("caen.trip:0", 1), Major("caen.trip:1", 2)]).HasNewMajorSince(before));
        // Acknowledged, then raised again as a new alarm after it cleared: new again.
        Assert.False(AlarmSummary.Of([Major("caen.trip:0", 1) with { Acknowledged = T0 }]).HasNewMajorSince(before));
        Assert.True(before.HasNewMajorSince(AlarmSummary.Of([Major("caen.trip:0", 1) with { Acknowledged = T0 }])));
        Assert.False(AlarmSummary.None.HasNewMajorSince(before));
    }
}
