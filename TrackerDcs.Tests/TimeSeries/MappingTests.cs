using TrackerDcs.Web.Common;
using Microsoft.Extensions.Configuration;
using System.Text;
using TrackerDcs.Web.TimeSeries;
using TrackerDcs.Hardware.Sensors;

namespace TrackerDcs.Tests.TimeSeries;

/// <summary>The default rules against the points the seed's Telegraf wrote (docs/architecture.md, "InfluxDB schema").</summary>
public class MappingTests
{
    private const long T = 1_764_000_000_123;
    private readonly PointMapper _mapper = new(MappingRule.Defaults);
    private readonly List<string> _problems = [];

    private List<string> Map(string topic, string payload, long time = T)
    {
        var points = new List<TimePoint>();
        _mapper.Map(topic, Encoding.UTF8.GetBytes(payload), time, points, _problems);
        return points.Select(p => p.ToLineProtocol()).ToList();
    }

    private List<string> Expire(long now)
    {
        var points = new List<TimePoint>();
        _mapper.Expire(now, points);
        return points.Select(p => p.ToLineProtocol()).ToList();
    }

    [Fact]
    public void Crate_state_is_a_string_field()
    {
        Assert.Equal([$"dcs_status fsm_state=\"LV_ON\" {T}"], Map("dcs/status", """{"fsm_state": "LV_ON"}"""));
        Assert.Empty(_problems);
    }

    [Fact]
    public void Alarm_events_become_annotatable_points()
    {
        var payload = """
            {"key":"caen.trip:0/hv","code":"caen.trip","subject":"0/hv","severity":"major","message":"HV of channel 0 tripped",
             "guidance":"…","raised":"2026-11-25T10:00:00Z","acknowledged":null,"event":"raised","by":"dcs"}
            """;
        var point = Assert.Single(Map("alarms/events", payload));
        Assert.StartsWith("alarms,code=caen.trip,event=raised,key=caen.trip:0/hv,severity=major ", point);
        Assert.Contains("message=\"HV of channel 0 tripped\"", point);
        Assert.Contains("by=\"dcs\"", point);
        Assert.DoesNotContain("guidance", point);
        Assert.Empty(_problems);
    }

    [Fact]
    public void Channel_gets_its_tags_float_fields_and_integer_conversions()
    {
        var payload = """
            {"id":"0","module":"module_0","lv_board":0,"lv_channel":0,"hv_board":12,"hv_channel":0,
             "lv_setV":12.0,"lv_vMon":11.99,"lv_iMon":0.5,"lv_status":1,"lv_tripInt":0,"lv_tripExt":17,
             "hv_setV":200,"hv_iMon":1.25,"hv_status":3,"hv_tripInt":0,"hv_tripExt":17,"hv_imRange":1,"hv_tripMode":1,
             "fsm_state":"HV_RAMP"}
            """;
        Assert.Equal([
            "channels,hv_board=12,hv_channel=0,id=0,lv_board=0,lv_channel=0,module=module_0 " +
            "fsm_state=\"HV_RAMP\",hv_iMon=1.25,hv_imRange=1i,hv_setV=200,hv_status=3i,hv_tripExt=17i,hv_tripInt=0i,hv_tripMode=1i," +
            $"lv_iMon=0.5,lv_setV=12,lv_status=1i,lv_tripExt=17i,lv_tripInt=0i,lv_vMon=11.99 {T}",
        ], Map("dcs/channels", payload));
        Assert.Empty(_problems);
    }

    [Fact]
    public void Chiller_status_keeps_numbers_converts_code_and_setpoint_and_ignores_the_boolean_as_telegraf_did()
    {
        var payload = """{"status_code":3,"internal_temp":18.5,"external_temp":19,"setpoint_1":18.5,"setpoint_2":20,"setpoint_3":-10,"used_setpoint":1,"power":-12.5,"ext_is_used":false,"fsm_state":"ON"}""";
        Assert.Equal([
            "chiller external_temp=19,fsm_state=\"ON\",internal_temp=18.5,power=-12.5,setpoint_1=18.5,setpoint_2=20,setpoint_3=-10," +
            $"status_code=3i,used_setpoint=1i {T}",
        ], Map("julabo/status", payload));
        Assert.Empty(_problems);
    }

    [Fact]
    public void Sensor_messages_of_one_box_merge_into_one_point_per_window_with_the_dew_point()
    {
        Assert.Empty(Map("ESP01/sensors/BME/temp", "21.5", T));
        Assert.Empty(Map("ESP01/sensors/BME/humi", "40", T + 10));
        Assert.Empty(Map("ESP01/sensors/DS/temp", "20.25", T + 20));
        Assert.Empty(Map("ESP02/sensors/SCD30/co2", "415", T + 30));
        Assert.Empty(Expire(T + 999));
        var esp01 = Assert.Single(Expire(T + 1000));
        // Magnus (Sonntag 1990): 21.5 °C at 40 % gives 7.32 °C.
        var dew = DewPoint.Celsius(21.5, 40)!.Value;
        Assert.Equal(7.32, dew, 0.01);
        Assert.Equal($"sensors,sensor=ESP01 BME_dew={dew.ToString("R", System.Globalization.CultureInfo.InvariantCulture)},BME_humi=40,BME_temp=21.5,DS_temp=20.25 {T}", esp01);
        Assert.Equal([$"sensors,sensor=ESP02 SCD30_co2=415 {T + 30}"], Expire(T + 1030));
        Assert.Empty(_problems);
    }

    [Fact]
    public void A_burst_across_a_whole_second_is_still_one_point_with_its_dew_point()
    {
        // A box's window opens with its first message: a burst that straddles a second boundary is not cut in two
        // (with windows aligned to whole seconds, temperature and humidity fell into two points and no dew point).
        var lastMillisecond = T - T % 1000 + 999;
        Assert.Empty(Map("ESP01/sensors/BME/temp", "21.5", lastMillisecond));
        Assert.Empty(Map("ESP01/sensors/BME/humi", "40", lastMillisecond + 2));
        var point = Assert.Single(Expire(lastMillisecond + 1000));
        Assert.Contains("BME_dew=7.3", point);
        Assert.EndsWith($" {lastMillisecond}", point);
    }

    [Fact]
    public void A_box_that_sends_its_dew_point_keeps_it_and_a_message_after_the_window_closes_it()
    {
        Map("ESP03/sensors/BME/temp", "21.5", T);
        Map("ESP03/sensors/BME/humi", "40", T);
        Map("ESP03/sensors/BME/dew", "7", T + 999);
        var closed = Map("ESP03/sensors/BME/temp", "22", T + 1000);
        Assert.Equal([$"sensors,sensor=ESP03 BME_dew=7,BME_humi=40,BME_temp=21.5 {T}"], closed);
    }

    [Theory]
    [InlineData("ESP01/sensors/BME/temp", "warm", "is not a number")]
    [InlineData("ESP01/sensors/BME/temp", "NaN", "is not a number")]
    [InlineData("julabo/status", "{\"internal_temp\":", "not JSON")]
    [InlineData("julabo/status", "[1,2]", "not an object")]
    public void Unusable_payloads_give_no_point_and_a_reason(string topic, string payload, string reason)
    {
        Assert.Empty(Map(topic, payload));
        Assert.Empty(Expire(long.MaxValue));
        Assert.Contains(_problems, p => p.Contains(reason));
    }

    [Fact]
    public void Nested_json_and_a_field_changing_type_drop_only_that_field()
    {
        var lines = Map("julabo/status", """{"internal_temp":18.5,"power":{"value":3},"setpoint_1":"high","fsm_state":3,"status_code":"x"}""");
        Assert.Equal([$"chiller internal_temp=18.5 {T}"], lines);
        Assert.Contains(_problems, p => p.Contains("'power' is nested JSON"));
        Assert.Contains(_problems, p => p.Contains("'setpoint_1' is a string"));
        Assert.Contains(_problems, p => p.Contains("'fsm_state' is a number, not a string"));
        Assert.Contains(_problems, p => p.Contains("'status_code' is a string"));
    }

    [Fact]
    public void Topics_no_rule_takes_are_not_matched()
    {
        Assert.True(_mapper.Matches("ESP07/sensors/CCS/tvoc"));
        Assert.True(_mapper.Matches("dcs/channels"));
        Assert.False(_mapper.Matches("dcs/cmd/switch/lv"));
        Assert.False(_mapper.Matches("ESP07/status"));
    }

    [Fact]
    public void Rules_from_settings_replace_the_defaults()
    {
        var options = Web.Common.Settings.Bind<TimeSeriesOptions>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TimeSeries:Rules:0:Topic"] = "lab/+/power",
            ["TimeSeries:Rules:0:Format"] = "Number",
            ["TimeSeries:Rules:0:Measurement"] = "power",
            ["TimeSeries:Rules:0:TopicTags:supply"] = "1",
            ["TimeSeries:Rules:0:UnsignedFields:0"] = "watts",
            ["TimeSeries:Rules:0:Field"] = "watts",
        }).Build(), "TimeSeries");
        var mapper = new PointMapper(options.EffectiveRules);
        var points = new List<TimePoint>();
        mapper.Map("lab/hmp4040/power", "12.4"u8, T, points, _problems);
        Assert.Equal([$"power,supply=hmp4040 watts=12u {T}"], points.Select(p => p.ToLineProtocol()));
        Assert.False(mapper.Matches("julabo/status"));
    }
}
