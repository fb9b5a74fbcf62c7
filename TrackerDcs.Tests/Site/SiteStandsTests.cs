using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Tests.Site;

/// <summary>The site instance's read model: what it keeps of each stand, when a stand is lost, and the site's alarm list.</summary>
public sealed class SiteStandsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly SiteStands _stands;

    public SiteStandsTests() => _stands = new SiteStands(new SiteOptions { Mode = SiteMode.Site, LostAfter = TimeSpan.FromSeconds(15), AlarmAfter = TimeSpan.FromSeconds(15) }, _time);

    private void Beat(string stand) =>
        Assert.True(_stands.Apply($"site/{stand}/dcs/heartbeat", $$"""{"state":"online","time":"{{_time.GetUtcNow():O}}","period_s":5}"""));

    [Fact]
    public void A_stands_detail_has_each_channel_by_its_own_topic_in_id_order_and_its_chiller()
    {
        Beat("s1");
        foreach (var id in new[] { "10", "2", "0" })
            Assert.True(_stands.Apply($"site/s1/dcs/channels/{id}",
                $$"""{"id":"{{id}}","module":"module_{{id}}","lv_setV":12,"lv_vMon":11.98,"lv_iMon":0.41,"hv_setV":300,"hv_vMon":299.5,"hv_iMon":1.25,"fsm_state":"HV_ON"}"""));
        // dcs/channels carries one channel a message (the last one would hide the others), and deeper topics are no channel's.
        Assert.False(_stands.Apply("site/s1/dcs/channels", """{"id":"3"}"""));
        Assert.False(_stands.Apply("site/s1/dcs/channels/3/extra", """{"id":"3"}"""));
        Assert.False(_stands.Apply("site/s1/dcs/channels/", """{"id":"3"}"""));
        Assert.True(_stands.Apply("site/s1/julabo/status", """{"fsm_state":"ON","used_setpoint":2,"setpoint_1":20,"setpoint_2":-25,"internal_temp":-24.8,"external_temp":-23.9,"power":-61}"""));

        var detail = _stands.Detail("s1")!;

        Assert.Equal(["0", "2", "10"], detail.Channels.Select(c => c.Id));
        Assert.Equal(new StandChannel("2", "module_2", "HV_ON", 12, 11.98, 0.41, 300, 299.5, 1.25), detail.Channels[1]);
        Assert.Equal(new StandChiller("ON", 2, -25, -24.8, -23.9, -61), detail.Chiller);
        Assert.Equal("ON", detail.Stand.Chiller);
        Assert.Null(_stands.Detail("s9"));
    }

    [Fact]
    public void A_stands_sensor_boxes_are_its_mirrored_readings_by_box_each_with_when_the_site_last_heard_it()
    {
        Beat("s1");
        var first = _time.GetUtcNow();
        Assert.True(_stands.Apply("site/s1/ESP02/sensors/BME/temp", "21.5"));
        Assert.True(_stands.Apply("site/s1/ESP02/sensors/BME/humi", "40.25"));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(_stands.Apply("site/s1/ESP01/sensors/DS/temp", "-18"));
        Assert.True(_stands.Apply("site/s1/ESP02/sensors/BME/temp", "21.75"));
        // Not a reading: a deeper or shallower topic, or a payload that is not a number.
        Assert.False(_stands.Apply("site/s1/ESP02/sensors/BME", "21"));
        Assert.False(_stands.Apply("site/s1/ESP02/sensors/BME/temp/x", "21"));
        Assert.False(_stands.Apply("site/s1/ESP03/sensors/BME/temp", "warm"));

        var boxes = _stands.Detail("s1")!.Sensors;

        Assert.Equal(["ESP01", "ESP02"], boxes.Select(b => b.Name));
        Assert.Equal(new Dictionary<string, double> { ["DS_temp"] = -18 }, boxes[0].Readings);
        Assert.Equal(new Dictionary<string, double> { ["BME_temp"] = 21.75, ["BME_humi"] = 40.25 }, boxes[1].Readings);
        Assert.Equal([first.AddSeconds(5), first.AddSeconds(5)], boxes.Select(b => b.LastHeard));
        Assert.Empty(_stands.Detail("s9")?.Sensors ?? []);
    }

    [Fact]
    public void A_stands_co2_plant_merges_its_partial_statuses_and_its_switch_box_reads_its_relays()
    {
        Beat("s1");
        // MARTA/status carries only the registers that moved past their deadband, and the state when it changed.
        Assert.True(_stands.Apply("site/s1/MARTA/status", """{"TT05_CO2":-25.5,"PT01_CO2":14.2,"LP_speed":3000,"fsm_state":"CO2_RUNNING"}"""));
        Assert.True(_stands.Apply("site/s1/MARTA/status", """{"TT05_CO2":-26,"FT01_CO2":null}"""));
        Assert.True(_stands.Apply("site/s1/MARTA/alarms", "Pump LP1 fault (AL_LP1)\nLow CO2 level (AL_LEVEL)\n"));
        Assert.False(_stands.Apply("site/s1/MARTA/status", "not json"));
        Assert.True(_stands.Apply("site/s1/SB/status", """{"lv":1,"hv":0,"channels":5,"fsm_state":"LV_ON","enabled_channels":[1,3]}"""));

        var detail = _stands.Detail("s1")!;

        Assert.Equal("CO2_RUNNING", detail.Marta!.State);
        Assert.Equal(new Dictionary<string, double?> { ["TT05_CO2"] = -26, ["PT01_CO2"] = 14.2, ["LP_speed"] = 3000, ["FT01_CO2"] = null }, detail.Marta.Values);
        Assert.Equal(["Pump LP1 fault (AL_LP1)", "Low CO2 level (AL_LEVEL)"], detail.Marta.Alarms);
        Assert.Equal("CO2_RUNNING", detail.Stand.Marta);
        Assert.Equal(("LV_ON", true, false), (detail.SwitchBox!.State, detail.SwitchBox.Lv, detail.SwitchBox.Hv));
        Assert.Equal([1, 3], detail.SwitchBox.EnabledChannels);

        // An empty alarm text: no alarm any more. A switch box that has not answered yet: relays unknown.
        Assert.True(_stands.Apply("site/s1/MARTA/alarms", ""));
        Assert.True(_stands.Apply("site/s1/SB/status", """{"lv":null,"hv":null,"channels":null,"fsm_state":"DISCONNECTED","enabled_channels":[]}"""));
        detail = _stands.Detail("s1")!;
        Assert.Empty(detail.Marta!.Alarms);
        Assert.Equal(("DISCONNECTED", (bool?)null, (bool?)null), (detail.SwitchBox!.State, detail.SwitchBox.Lv, detail.SwitchBox.Hv));
    }

    [Theory]
    [InlineData("ESP01/sensors/BME/temp", Mirroring.Latest)]
    [InlineData("dcs/status", Mirroring.Latest)]
    [InlineData("alarms/events", Mirroring.Event)]
    [InlineData("procedures/log", Mirroring.Event)]
    [InlineData("ph2acf/log", Mirroring.None)]
    [InlineData("dcs/cmd/switch/lv", Mirroring.None)]
    [InlineData("ESP01/sensors/BME", Mirroring.None)]
    [InlineData("ESP01/other/BME/temp", Mirroring.None)]
    public void What_a_stand_mirrors_to_the_site(string topic, Mirroring how) =>
        Assert.Equal(how, SiteTopics.Classify(topic, root => root is "dcs" or "alarms" or "procedures" or "ph2acf"));

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

    [Fact]
    public void The_lost_cluster_is_the_sites_own_alarm_after_Site_AlarmAfter_first_in_the_list_and_clears_on_connection()
    {
        Beat("s1");
        Assert.True(_stands.Apply("site/s1/alarms/active", """[{"key":"a","severity":"major","message":"chiller fault","raised":"2026-12-06T11:00:00Z"}]"""));
        _stands.SetCluster(null, "connected to rmq1:1883");
        var lostAt = _time.GetUtcNow();
        _stands.SetCluster(lostAt, "lost rmq1:1883");
        _time.Advance(TimeSpan.FromSeconds(10));
        // A later failed round keeps the moment of the loss.
        _stands.SetCluster(_time.GetUtcNow(), "rmq2:1883 unreachable: connection refused");
        Assert.Null(_stands.View.ClusterLost);
        Assert.Empty(_stands.AlarmConditions());

        _time.Advance(TimeSpan.FromSeconds(5));

        var view = _stands.View;
        var lost = Assert.IsType<SiteAlarm>(view.ClusterLost);
        Assert.Equal((SiteStands.SiteItself, "site.cluster", "major", lostAt), (lost.Stand, lost.Key, lost.Severity, lost.Raised));
        Assert.Contains("since 12:00:00 UTC (rmq2:1883 unreachable: connection refused)", lost.Message);
        Assert.Equal([SiteStands.SiteItself, "s1"], view.Alarms.Select(a => a.Stand));
        Assert.Equal("site.cluster:site", Assert.Single(_stands.AlarmConditions()).Key);

        _stands.SetCluster(null, "connected to rmq3:1883");
        Assert.Null(_stands.View.ClusterLost);
        Assert.Equal(["s1"], _stands.View.Alarms.Select(a => a.Stand));
        Assert.Empty(_stands.AlarmConditions());
    }

    [Fact]
    public void A_lost_stand_is_the_sites_own_major_alarm_but_not_while_the_cluster_is_lost_nor_just_after_a_connection()
    {
        _stands.SetCluster(null, "connected to rmq1:1883");
        Beat("s1");
        Beat("s2");
        _time.Advance(TimeSpan.FromSeconds(10));
        Beat("s2");
        Assert.Empty(_stands.AlarmConditions());

        _time.Advance(TimeSpan.FromSeconds(10));

        var lost = Assert.Single(_stands.AlarmConditions());
        Assert.Equal(("site.stand:s1", "stand s1 not heard since 12:00:00 UTC"), (lost.Key, lost.Message));
        Assert.Equal(AlarmSeverity.Major, lost.Definition.Severity);
        Beat("s1");
        Assert.Empty(_stands.AlarmConditions());

        // The cluster lost: its own alarm says it for every stand, whose beats stop arriving meanwhile.
        _stands.SetCluster(_time.GetUtcNow(), "lost rmq1:1883");
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(["site.cluster:site"], _stands.AlarmConditions().Select(c => c.Key));
        // Back: every last beat is old until each stand's next one, which comes within its period.
        _stands.SetCluster(null, "connected to rmq2:1883");
        Assert.Empty(_stands.AlarmConditions());
        _time.Advance(TimeSpan.FromSeconds(5));
        Beat("s1");
        Beat("s2");
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(_stands.AlarmConditions());
    }

    [Fact]
    public void A_stands_dew_point_margin_is_its_own_and_is_low_below_its_minimum()
    {
        Beat("s1");
        Assert.Null(_stands.View.Stand("s1")!.DewPointMargin);
        Assert.True(_stands.Apply("site/s1/environment/status", """{"dewpoint_margin":2.5,"dewpoint":17.5,"coldest":20,"dewpoint_margin_min":3}"""));
        var stand = _stands.View.Stand("s1")!;
        Assert.Equal((2.5, 17.5, 20.0, 3.0, true), (stand.DewPointMargin, stand.DewPoint, stand.ColdestTemperature, stand.DewPointMarginMin, stand.DewPointMarginLow));
        // Unknown (no box with humidity): no margin, and not low.
        Assert.True(_stands.Apply("site/s1/environment/status", """{"dewpoint_margin":null,"dewpoint":null,"coldest":20,"dewpoint_margin_min":3}"""));
        Assert.Equal((null, false), (_stands.View.Stand("s1")!.DewPointMargin, _stands.View.Stand("s1")!.DewPointMarginLow));
    }
}
