using System.Text.Json;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Tests.Site;

/// <summary>A stand's recent history at the site, from the mirrored alarm events and run and procedure statuses.</summary>
public sealed class StandHistoryTests
{
    private static readonly DateTimeOffset Received = new(2026, 12, 6, 22, 0, 0, TimeSpan.Zero);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void Alarm_events_and_ended_runs_are_kept_newest_first_with_their_own_times_and_users()
    {
        var history = new StandHistory();
        history.Record("s1", "alarms/events", Json("""{"key":"caen.trip:module_1","severity":"major","message":"HV trip","event":"raised","by":"system","at":"2026-12-06T21:00:00Z"}"""), Received);
        history.Record("s1", "ph2acf/status", Json("""{"state":"running","run":7,"calibration":"pedestal"}"""), Received);
        history.Record("s1", "ph2acf/status", Json("""{"state":"failed","run":7,"calibration":"pedestal","end_ms":1796590800000,"reason":"exit code 3"}"""), Received);
        history.Record("s1", "procedures/status", Json("""{"state":"failed","run":2,"procedure":"burn-in","operator":"site:oscar","reason":"aborted by site:oscar"}"""), Received);
        history.Record("s1", "dcs/status", Json("""{"fsm_state":"LV_ON"}"""), Received);

        var events = history.Of("s1");
        Assert.Equal(["procedure", "calibration", "alarm"], events.Select(e => e.Kind));
        Assert.Equal(new StandEvent(Received, "procedure", "failed", null, "run 2: burn-in: aborted by site:oscar", "site:oscar"), events[0]);
        Assert.Equal(new StandEvent(DateTimeOffset.FromUnixTimeMilliseconds(1796590800000), "calibration", "failed", null, "run 7: pedestal: exit code 3", null), events[1]);
        Assert.Equal(new StandEvent(DateTimeOffset.Parse("2026-12-06T21:00:00Z"), "alarm", "raised", "major", "caen.trip:module_1: HV trip", "system"), events[2]);
        Assert.Empty(history.Of("s2"));
    }

    [Fact]
    public void A_copy_sent_again_is_kept_once_an_idle_status_adds_nothing_and_a_stand_keeps_its_last_hundred()
    {
        var history = new StandHistory();
        var raised = Json("""{"key":"julabo.fault","severity":"major","message":"-03","event":"raised","by":"system","at":"2026-12-06T21:00:00Z"}""");
        history.Record("s1", "alarms/events", raised, Received);
        history.Record("s1", "alarms/events", raised, Received.AddSeconds(30));
        // A latched alarm returning later is another event: its time differs.
        history.Record("s1", "alarms/events", Json("""{"key":"julabo.fault","severity":"major","message":"-03","event":"raised","by":"system","at":"2026-12-06T21:05:00Z"}"""), Received);
        // A run's end without an end time, sent twice: its receipt times differ, it is still one end.
        history.Record("s1", "procedures/status", Json("""{"state":"finished","run":4,"procedure":"thermal-cycle"}"""), Received);
        history.Record("s1", "procedures/status", Json("""{"state":"finished","run":4,"procedure":"thermal-cycle"}"""), Received.AddSeconds(5));
        // A restarted stand names its last run again as idle.
        history.Record("s1", "procedures/status", Json("""{"state":"idle","run":4,"procedure":"thermal-cycle","run_state":"finished"}"""), Received);
        Assert.Equal(3, history.Of("s1").Count);

        for (var i = 0; i < StandHistory.Limit + 20; i++)
            history.Record("s1", "alarms/events", Json($$"""{"key":"k{{i}}","severity":"minor","message":"m","event":"raised","at":"2026-12-06T21:00:{{i % 60:00}}Z"}"""), Received);
        var kept = history.Of("s1");
        Assert.Equal(StandHistory.Limit, kept.Count);
        Assert.Equal($"k{StandHistory.Limit + 19}: m", kept[0].Text);
    }
}
