using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Security;
using TrackerDcs.Web.Storage;
using TrackerDcs.Hardware;

namespace TrackerDcs.Tests.Panel;

/// <summary>The panel's components rendered by bUnit, with MudBlazor's services and a real (temporary) audit database.</summary>
public sealed class PanelComponentTests : IDisposable
{
    private readonly BunitContext _ctx = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("trackerdcs-panel-").FullName;
    private readonly Readiness _readiness = new();
    private readonly AuditLog _audit;
    private readonly PanelFeed _feed;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow.Date.AddHours(2).AddMinutes(14).AddSeconds(7));

    public PanelComponentTests()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        _audit = new AuditLog(new Database(Path.Combine(_dir, "test.db")), TimeProvider.System);
        _feed = new PanelFeed(_readiness, _audit, NullLogger<PanelFeed>.Instance, time: _time);
        _ctx.Services.AddSingleton(_readiness);
        _ctx.Services.AddSingleton(_feed);
        _ctx.Services.AddScoped<PanelClock>();
    }

    [Theory]
    [InlineData(null, "unknown", "Channel 0 LV unknown")]
    [InlineData(0, "off", "Channel 0 LV off")]
    [InlineData(1, "on", "Channel 0 LV on")]
    [InlineData(3, "ramp", "Channel 0 LV on, ramping up")]
    [InlineData(1 | 8, "error", "Channel 0 LV on, over-current")]
    [InlineData(1 << 11, "error", "Channel 0 LV unplugged")]
    public void A_state_light_shows_the_status_word_as_a_colour_and_in_words(int? status, string css, string label)
    {
        var light = _ctx.Render<StateLight>(p => p.Add(c => c.Supply, "Channel 0 LV").Add(c => c.Status, status));
        var span = light.Find("span.light");
        Assert.Contains(css, span.ClassList);
        Assert.Equal(label, span.GetAttribute("aria-label"));
    }

    [Fact]
    public void A_guarded_button_is_disabled_with_its_reason_written_beside_it_and_sends_nothing()
    {
        var clicks = 0;
        var button = _ctx.Render<GuardedButton>(p => p.Add(c => c.Text, "HV on")
            .Add(c => c.Reason, "HV can only be switched on from LV_ON (crate is LV_OFF)")
            .Add(c => c.OnClick, () => clicks++));
        Assert.Equal("HV can only be switched on from LV_ON (crate is LV_OFF)", button.Find("span.guarded").GetAttribute("title"));
        Assert.True(button.Find("button").HasAttribute("disabled"));
        // Written, not only hovered: the button's description points at the text.
        var reason = button.Find(".guarded-reason");
        Assert.Equal("HV can only be switched on from LV_ON (crate is LV_OFF)", reason.TextContent);
        Assert.Equal(reason.Id, button.Find("button").GetAttribute("aria-describedby"));

        button.Render(p => p.Add(c => c.Reason, (string?)null));
        Assert.Empty(button.FindAll(".guarded-reason"));
        Assert.False(button.Find("button").HasAttribute("disabled"));
        Assert.Null(button.Find("span.guarded").GetAttribute("title"));
        button.Find("button").Click();
        Assert.Equal(1, clicks);
    }

    [Fact]
    public void A_gauge_shows_its_value_and_clamps_its_arc()
    {
        var gauge = _ctx.Render<Gauge>(p => p.Add(c => c.Label, "Bath").Add(c => c.Value, 12.345).Add(c => c.Min, -50).Add(c => c.Max, 50).Add(c => c.Unit, "°C"));
        Assert.Contains("12.3 °C", gauge.Markup);
        Assert.Equal(0.62345, gauge.Instance.Fraction, 5);
        gauge.Render(p => p.Add(c => c.Value, 80.0));
        Assert.Equal(1, gauge.Instance.Fraction);
        gauge.Render(p => p.Add(c => c.Value, (double?)null));
        Assert.Contains("—", gauge.Markup);
    }

    [Fact]
    public void The_readiness_banner_appears_live_when_a_device_drops_out()
    {
        var connected = true;
        _readiness.Register("driver", "caen", () => new ComponentState(connected, connected ? "LV_OFF" : "DISCONNECTED", "ca 127.0.0.1:5094"));
        var banner = _ctx.Render<ReadinessBanner>();
        Assert.Empty(banner.FindAll("[role=alert]"));

        connected = false;
        _feed.Raise(PanelTopic.Readiness);
        banner.WaitForAssertion(() => Assert.Contains("driver caen DISCONNECTED (ca 127.0.0.1:5094)", banner.Find("[role=alert]").TextContent),
            TimeSpan.FromSeconds(5));
        Assert.Equal(1, _feed.SubscriberCount);
        banner.Instance.Dispose();
        Assert.Equal(0, _feed.SubscriberCount);
    }

    [Fact]
    public void A_part_not_ready_is_shown_since_when_and_no_green_no_active_alarm_is_shown_meanwhile()
    {
        var caen = "LV_OFF";
        var influx = true;
        _readiness.Register("driver", "caen", () => new ComponentState(caen == "LV_OFF", caen));
        _readiness.Register("store", "influxdb", () => new ComponentState(influx, influx ? "ok" : "unreachable"));
        var banner = _ctx.Render<ReadinessBanner>();
        var notice = _ctx.Render<AlarmStateNotice>();
        Assert.Contains("No active alarm", notice.Find(".live-only").TextContent);

        caen = "DISCONNECTED";
        _feed.Raise(PanelTopic.Readiness);
        banner.WaitForAssertion(() => Assert.Contains("driver caen DISCONNECTED since 02:14:07 UTC: its values are not current.", banner.Find("[role=alert]").TextContent),
            TimeSpan.FromSeconds(5));
        notice.WaitForAssertion(() => Assert.Contains("Alarm state unknown since 02:14:07 UTC: driver caen not ready", notice.Find(".mud-alert").TextContent), TimeSpan.FromSeconds(5));
        Assert.Empty(notice.FindAll(".live-only"));

        // Still down in another state a minute later: since the first time it was seen down. A store down loses
        // history, not live values: said, but not as stale.
        _time.Advance(TimeSpan.FromMinutes(1));
        caen = "CONNECTING";
        influx = false;
        _feed.Raise(PanelTopic.Readiness);
        banner.WaitForAssertion(() => Assert.Contains("driver caen CONNECTING since 02:14:07 UTC", banner.Find("[role=alert]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Contains("store influxdb unreachable since 02:15:07 UTC.", banner.Find("[role=alert]").TextContent);

        caen = "LV_OFF";
        _feed.Raise(PanelTopic.Readiness);
        notice.WaitForAssertion(() => Assert.Contains("No active alarm", notice.Find(".live-only").TextContent), TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromMinutes(1));
        caen = "DISCONNECTED";
        _feed.Raise(PanelTopic.Readiness);
        banner.WaitForAssertion(() => Assert.Contains("driver caen DISCONNECTED since 02:16:07 UTC", banner.Find("[role=alert]").TextContent), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void The_audit_table_shows_a_refusal_with_its_reason()
    {
        var request = new CommandRequest("dcs/cmd/switch/hv", "on", "operator", Role.Operator, CommandOrigin.Panel, "panel-1");
        _audit.Append(request, CommandResult.Refused("HV can only be switched on from LV_ON (crate is LV_OFF)"));
        var now = DateTimeOffset.UtcNow;
        var table = _ctx.Render<AuditTable>(p => p.Add(c => c.Entries, _audit.Query(now.AddMinutes(-1), now.AddMinutes(1))));
        Assert.Contains("dcs/cmd/switch/hv", table.Markup);
        Assert.Contains("refused: HV can only be switched on from LV_ON (crate is LV_OFF)", table.Markup);
    }

    [Fact]
    public async Task The_feed_coalesces_a_burst_of_changes_into_one_notification()
    {
        var notified = new List<PanelTopic>();
        using var subscription = _feed.Subscribe(PanelTopic.Caen | PanelTopic.Audit, t => { lock (notified) notified.Add(t); return Task.CompletedTask; });
        for (var i = 0; i < 50; i++) _feed.Raise(PanelTopic.Caen);
        _feed.Raise(PanelTopic.Julabo);
        await Task.Delay(PanelFeed.Coalesce * 4);
        lock (notified) Assert.Equal([PanelTopic.Caen | PanelTopic.Julabo], notified);
    }

    [Theory]
    [InlineData(CaenState.LvOff, false, CaenCommand.HvOn, "HV can only be switched on from LV_ON (crate is LV_OFF)")]
    [InlineData(CaenState.LvOn, false, CaenCommand.HvOn, null)]
    [InlineData(CaenState.HvOn, true, CaenCommand.LvOff, "LV can only be switched off when HV is off (crate is HV_ON)")]
    [InlineData(CaenState.Disconnected, false, CaenCommand.HvOff, "cannot command HV: the crate is not reachable (crate is DISCONNECTED)")]
    public void The_crate_view_offers_a_command_only_where_the_state_machine_allows_it(CaenState state, bool hvOn, CaenCommand command, string? reason)
    {
        var map = ChannelMap.Parse("""
            channels:
              "0": { module: module_0, lv: { board: 0, chan: 0 }, hv: { board: 12, chan: 0 } }
            global:
              lv: { setV: 12., maxI: 2.5, ovVThr: 15., unVThr: 0., tripTime: 10., tripInt: 0, tripExt: 0, rampUpTime: 100., rampDwnTime: 100. }
              hv: { setV: 200., maxI: 500., rampUpSpeed: 100., rampDwnSpeed: 100., tripTime: 1., tripInt: 0, tripExt: 0, tripMode: Kill, imRange: Low }
            """, "test.yml");
        SupplyReading Supply(int status) => new(new Dictionary<string, double> { ["Status"] = status });
        var channel = new ChannelReading(map.Channels[0], state, Supply(1), Supply(hvOn ? 1 : 0));
        var view = CaenView.From(new CaenSnapshot(map, state, [channel], []));
        var refusal = command switch
        {
            CaenCommand.HvOn => view.HvOnRefusal,
            CaenCommand.LvOff => view.LvOffRefusal,
            CaenCommand.HvOff => view.HvOffRefusal,
            _ => throw new ArgumentOutOfRangeException(nameof(command)),
        };
        Assert.Equal(reason, refusal);
    }

    [Fact]
    public void A_trend_chart_hands_its_signals_to_the_script_and_opens_them_on_the_trends_page()
    {
        var chart = _ctx.Render<TrendChart>(p => p.Add(c => c.Signals, ["channels.hv_vMon[id=0]", "chiller.internal_temp"]).Add(c => c.Range, TimeSpan.FromHours(6)));
        var create = _ctx.JSInterop.Invocations["TrackerDcsTrends.create"].Single();
        var options = System.Text.Json.JsonSerializer.SerializeToElement(create.Arguments[2]);
        Assert.Equal(["channels.hv_vMon[id=0]", "chiller.internal_temp"], options.GetProperty("signals").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal((true, 6 * 3_600_000L), (options.GetProperty("live").GetBoolean(), options.GetProperty("span").GetInt64()));
        Assert.Equal("/trends?signal=channels.hv_vMon%5Bid%3D0%5D&signal=chiller.internal_temp&range=6h",
            chart.Find("a[aria-label='Open in Trends']").GetAttribute("href"));
        Assert.Equal(["15 min", "1 h", "6 h", "24 h", "7 d", "30 d", "custom"],
            chart.FindAll("[aria-label='Range presets'] button").Select(b => b.TextContent.Trim()));
    }

    [Fact]
    public void A_runs_influxdb_conditions_are_a_table_per_measurement_with_local_times()
    {
        // As InfluxConditionsQuery answers: rows of column → value, InfluxDB's RFC 3339 times.
        var reply = System.Text.Json.Nodes.JsonNode.Parse("""
            {"run": 7, "from_ms": 1765000000000, "to_ms": 1765000060000, "source": "influxdb", "conditions": {
              "dcs_status": [{"time": "2025-12-06T05:46:40Z", "fsm_state": "LV_ON"}],
              "channels": [{"time": "2025-12-06T05:46:40Z", "id": "0", "lv_vMon": 11.9996}, {"time": "2025-12-06T05:46:41.5Z", "id": "0", "lv_vMon": 12.0001}],
              "chiller": [], "sensors": []}}
            """)!.AsObject();
        var table = _ctx.Render<ConditionsTable>(p => p.Add(c => c.Reply, reply));
        var channels = table.Find("[aria-label='Run conditions: channels'] table");
        Assert.Equal(["time (UTC)", "id", "lv_vMon"], channels.QuerySelectorAll("thead th").Select(h => h.TextContent));
        var rows = channels.QuerySelectorAll("tbody tr");
        Assert.Equal(2, rows.Length);
        Assert.Equal("2025-12-06 05:46:41", rows[1].QuerySelector("time")!.TextContent);
        Assert.Equal("12.0001", rows[1].QuerySelectorAll("td")[2].TextContent);
        Assert.Equal("LV_ON", table.Find("[aria-label='Run conditions: dcs_status'] tbody td:nth-child(2)").TextContent);
        Assert.Contains("0 points", table.Markup);   // chiller and sensors: their tables say they are empty
        Assert.DoesNotContain("{", string.Concat(table.FindAll("td").Select(c => c.TextContent)));
    }

    [Fact]
    public void A_runs_stored_conditions_become_one_row_per_quantity_at_start_and_end()
    {
        var start = System.Text.Json.Nodes.JsonNode.Parse("""
            {"time_ms": 1765000000000, "crate": {"fsm_state": "LV_ON"}, "channels": [{"id": "0", "module": "module_0", "lv_vMon": 11.9996}],
             "channels_yml_sha256": "0123456789abcdef0123", "alarms": {"active": [{"key": "julabo.fault:julabo"}], "shelved": []}}
            """)!.AsObject();
        var end = start.DeepClone().AsObject();
        end["time_ms"] = 1765000060000;
        end["alarms"]!["active"] = new System.Text.Json.Nodes.JsonArray();
        var rows = ConditionsTable.SnapshotRows(start, end).ToDictionary(r => r.Quantity);
        Assert.Equal(new ConditionValue.Time(1765000000000), rows["time"].Start);
        Assert.Equal(new ConditionValue.Text("LV_ON"), rows["crate · state"].End);
        Assert.Equal(new ConditionValue.Text("module_0"), rows["channel 0 · module"].Start);
        Assert.Equal(new ConditionValue.Text("11.9996"), rows["channel 0 · lv_vMon"].Start);
        Assert.Equal(new ConditionValue.Text("0123456789ab…", "0123456789abcdef0123"), rows["channels_yml_sha256"].Start);
        Assert.Equal((new ConditionValue.Text("julabo.fault:julabo"), new ConditionValue.Text("none")), (rows["alarms · active"].Start, rows["alarms · active"].End));
        Assert.DoesNotContain("channel 0 · id", rows.Keys);
    }

    public void Dispose()
    {
        // MudBlazor's popover service (behind the trend chart's tooltip) is only asynchronously disposable.
        _ctx.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
