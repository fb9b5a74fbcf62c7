using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices.Julabo;

namespace TrackerDcs.Tests.Julabo;

/// <summary>julabo/status as the seed's clients and the InfluxDB chiller measurement read it, byte for byte.</summary>
public class JulaboTopicsTests
{
    private static string Payload(JulaboStatus status, string? text = null) =>
        JulaboTopics.StatusPayload(JulaboView.From(new JulaboSnapshot(status, text, null, null))).ToJsonString(Json.Options);

    [Fact]
    public void Status_has_the_seed_field_names_in_the_seed_order()
    {
        var status = new JulaboStatus
        {
            StatusCode = 3, InternalTemp = 18.5, ExternalTemp = 19, Setpoint1 = 18.5, Setpoint2 = 20, Setpoint3 = -10,
            UsedSetpoint = 1, Power = -12.5, ExtIsUsed = false, LimitHigh = 30, LimitLow = -35, FsmState = JulaboState.On,
        };
        Assert.Equal("""{"status_code":3,"internal_temp":18.5,"external_temp":19,"setpoint_1":18.5,"setpoint_2":20,"setpoint_3":-10,"used_setpoint":1,"power":-12.5,"ext_is_used":false,"limit_high":30,"limit_low":-35,"fsm_state":"ON"}""",
            Payload(status, "REMOTE START"));
    }

    [Fact]
    public void What_was_not_read_yet_is_null()
    {
        Assert.Equal("""{"status_code":null,"internal_temp":null,"external_temp":null,"setpoint_1":null,"setpoint_2":null,"setpoint_3":null,"used_setpoint":null,"power":null,"ext_is_used":null,"limit_high":null,"limit_low":null,"fsm_state":"DISCONNECTED"}""",
            Payload(new JulaboStatus()));
    }
}
