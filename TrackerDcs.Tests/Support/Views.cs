using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Sensors;

namespace TrackerDcs.Tests.Support;

/// <summary>Device views as in-process tests need them: a crate, a chiller and sensor boxes in the state a test names.</summary>
public static class Views
{
    public static readonly string HvOn = CaenState.HvOn.Wire();
    public static readonly string LvOn = CaenState.LvOn.Wire();
    public static readonly string LvOff = CaenState.LvOff.Wire();

    /// <summary>The crate <c>dcs</c> in <paramref name="state"/>; HV counts as live in HV_ON, HV_RAMP and HV_RAMP_DOWN.</summary>
    public static CaenView Crate(string state, params CaenChannelView[] channels) =>
        new("dcs", state, channels, "channels.yml", "0123")
        {
            HvLive = state == HvOn || state == CaenState.HvRamp.Wire() || state == CaenState.HvRampDown.Wire(),
            LvOn = state == LvOn || state == HvOn || state == CaenState.HvRamp.Wire() || state == CaenState.HvRampDown.Wire(),
        };

    /// <summary>A channel with LV on board 0 and HV on board 12, its supplies' status words as given (null: not read yet).</summary>
    public static CaenChannelView Channel(string id, string? module, CaenStatus? lv = null, CaenStatus? hv = null) =>
        new(id, module, LvOn, Supply(0, lv), Supply(12, hv));

    private static CaenSupplyView Supply(int board, CaenStatus? status) =>
        new(board, 0, status is { } s ? (int)s : null, 0, 0, 0, 100);

    /// <summary>The chiller in a state, with its unit status code, bath temperature and set point 1 in use.</summary>
    public static JulaboView Chiller(JulaboState state, int? code = 3, double? bath = 20, double? setpoint = 20, string? limitsProblem = null) =>
        new(state.Wire(), code, bath, null, setpoint, null, null, 1, 0, false, null, null)
        {
            StatusText = code is null ? null : $"status {code}",
            LimitsProblem = limitsProblem,
        };

    public static SensorsView Environment(double? coldest, params SensorBox[] boxes) => new(boxes, coldest);

    public static SensorBox Box(string name, DateTimeOffset lastSeen, params (string Field, double Value)[] readings) =>
        new(name, readings.ToDictionary(r => r.Field, r => r.Value), lastSeen);
}
