using TrackerDcs.Web.Devices;
using System.Globalization;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Sensors;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// What a calibration needs from the stand before it starts (and, for the crate, until it ends). Each check
/// answers null when met, else the sentence an operator reads in the refusal.
/// </summary>
public sealed class Preconditions(IDeviceView<CaenView> caen, IDeviceView<JulaboView> julabo, IDeviceView<SensorsView> sensors)
{
    public string? FirstFailed(CalibrationOptions calibration) =>
        Crate(calibration) ?? Chiller(calibration) ?? DewPoint(calibration);

    public string? Crate(CalibrationOptions calibration)
    {
        if (calibration.CrateState == "") return null;
        var state = caen.View.State;
        return state == calibration.CrateState ? null : $"crate is {state}, the calibration needs {calibration.CrateState}";
    }

    private string? Chiller(CalibrationOptions calibration)
    {
        if (calibration.ChillerTolerance is not { } tolerance) return null;
        var chiller = julabo.View;
        if (chiller.State != JulaboView.On) return $"chiller is {chiller.State}, the calibration needs it ON";
        var setpoint = chiller.UsedSetpoint is { } used ? chiller.Setpoint(used) : null;
        if (chiller.InternalTemp is not { } bath || setpoint is not { } target) return "chiller bath temperature or set point unknown";
        return Math.Abs(bath - target) <= tolerance ? null
            : string.Create(CultureInfo.InvariantCulture, $"chiller bath {bath:0.0#} °C is not within {tolerance} °C of its set point {target:0.0#} °C");
    }

    private string? DewPoint(CalibrationOptions calibration)
    {
        if (calibration.MinDewPointMargin is not { } minimum) return null;
        if (sensors.View.DewPointMargin is not { } margin) return "dew-point margin unknown (no sensor box with humidity, or no chiller temperature)";
        return margin > minimum ? null
            : string.Create(CultureInfo.InvariantCulture, $"dew-point margin {margin:0.0#} °C is not above {minimum} °C");
    }
}
