using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Tests.Site;

/// <summary>The site instance's read model: what it keeps of each stand, when a stand is lost, and the site's alarm list.</summary>
public sealed class SiteStandsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly SiteStands _stands;

    public SiteStandsTests() => _stands = new SiteStands(new SiteOptions { Mode = SiteMode.Site, LostAfter = TimeSpan.FromSeconds(15) }, _time);

    private void Beat(string stand) =>
        Assert.True(_stands.Apply($"site/{stand}/dcs/heartbeat", $$"""{"state":"online","time":"{{_time.GetUtcNow():O}}","period_s":5}"""));

    [Fact]
    public void A_stand_whose_heartbeat_stops_is_lost_as_of_its_last_beat_and_keeps_its_values()
    {
        Beat("s1");
        Assert.True(_stands.Apply("site/s1/dcs/status", """{"fsm_state":"LV_ON"}"""));
        var beatAt = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(_stands.View.Stand("s1")!.Lost);

        _time.Advance(TimeSpan.FromSeconds(10));

        var stand = _stands.View.Stand("s1")!;
        Assert.True(stand.Lost);
        Assert.Equal(beatAt, stand.HeartbeatAt);
        Assert.Equal(TimeSpan.FromSeconds(20), stand.HeartbeatAge);
        Assert.Equal("LV_ON", stand.Crate);
    }

    [Fact]
    public void The_site_alarm_list_names_each_stand_newest_first_and_a_state_survives_a_status_without_it()
    {
        Beat("s1");
        Beat("s2");
        Assert.True(_stands.Apply("site/s1/alarms/active", """[{"key":"a","severity":"major","message":"chiller fault","raised":"2026-12-06T11:00:00Z"}]"""));
        Assert.True(_stands.Apply("site/s2/alarms/active", """[{"key":"b","severity":"minor","message":"dew point","raised":"2026-12-06T11:30:00Z","acknowledged":"2026-12-06T11:31:00Z"}]"""));
        // MARTA/status carries fsm_state only when it changed.
        Assert.True(_stands.Apply("site/s1/MARTA/status", """{"fsm_state":"RUNNING","TT7":-30.1}"""));
        Assert.True(_stands.Apply("site/s1/MARTA/status", """{"TT7":-30.2}"""));
        // Not kept: another topic, a payload that is not JSON, a name that is no stand's.
        Assert.False(_stands.Apply("site/s1/dcs/channels", "[]"));
        Assert.False(_stands.Apply("site/s1/dcs/status", "not json"));
        Assert.False(_stands.Apply("site/S.1/dcs/status", """{"fsm_state":"LV_ON"}"""));

        var view = _stands.View;
        Assert.Equal([("s2", "dew point", true), ("s1", "chiller fault", false)], view.Alarms.Select(a => (a.Stand, a.Message, a.Acknowledged)));
        Assert.Equal("RUNNING", view.Stand("s1")!.Marta);
        Assert.Equal((1, "chiller fault"), (view.Stand("s1")!.ActiveAlarms, view.Stand("s1")!.NewestAlarm!.Message));
        Assert.Null(view.Stand("s1")!.Crate);
    }
}
