using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.Devices.SwitchBox;

namespace TrackerDcs.Web.Interlocks;

/// <summary>
/// The live values a rule can name. A value is a double, a bool or a string, or null while unknown
/// (a comparison with an unknown value is false: missing data is the silent-sensor alarm's business).
/// </summary>
public sealed class InterlockSignals(IDeviceView<CaenView> caen, IDeviceView<JulaboView> julabo, IDeviceView<SensorsView> sensors,
    IDeviceView<SwitchBoxView> switchBox)
{
    public static readonly IReadOnlyList<string> Fixed =
    [
        "crate.state", "crate.hv_on", "crate.lv_on", "chiller.state", "chiller.bath", "chiller.external",
        "environment.dewpoint", "environment.dewpoint_margin",
        // The switch box: its LV and HV relays, and how many of its channels are enabled (unknown while it does not answer).
        "switchbox.state", "switchbox.lv", "switchbox.hv", "switchbox.channels",
    ];

    /// <summary>The sensor fields a box publishes (sensor.&lt;box or max&gt;.&lt;field&gt;).</summary>
    public static readonly IReadOnlyList<string> SensorFields =
        ["DS_temp", "BME_temp", "BME_humi", "BME_dew", "CCS_co2", "CCS_tvoc", "SCD30_co2", "SCD30_temp", "SCD30_humi"];

    /// <summary>Null when the name is a signal, else why not.</summary>
    public static string? Check(string name)
    {
        if (Fixed.Contains(name)) return null;
        var parts = name.Split('.');
        if (parts is ["sensor", { Length: > 0 }, var field])
            return SensorFields.Contains(field) ? null : $"unknown sensor field '{field}' (one of {string.Join(", ", SensorFields)})";
        return $"unknown signal '{name}' (one of {string.Join(", ", Fixed)}, sensor.<box>.<field>, sensor.max.<field>)";
    }

    public object? Read(string name)
    {
        switch (name)
        {
            case "crate.state": return caen.View.State;
            case "crate.hv_on": return caen.View is { Reachable: true } hv ? hv.HvLive : null;
            case "crate.lv_on": return caen.View is { Reachable: true } lv ? lv.LvOn : null;
            case "chiller.state": return julabo.View.State;
            case "chiller.bath": return julabo.View.InternalTemp;
            case "chiller.external": return julabo.View.ExternalTemp;
            case "environment.dewpoint": return sensors.View.HighestDewPoint;
            case "environment.dewpoint_margin": return sensors.View.DewPointMargin;
            case "switchbox.state": return switchBox.View.State;
            case "switchbox.lv": return switchBox.View.Lv;
            case "switchbox.hv": return switchBox.View.Hv;
            case "switchbox.channels": return (double?)switchBox.View.EnabledCount;
        }
        var parts = name.Split('.');
        return sensors.View.Max(parts[2], parts[1] == "max" ? null : parts[1]);
    }
}
