using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Marta;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.Devices.SwitchBox;

namespace TrackerDcs.Web.Interlocks;

/// <summary>
/// The live values a rule can name. A value is a double, a bool or a string, or null while unknown
/// (a comparison with an unknown value is false: missing data is the silent-sensor alarm's business).
/// MARTA's signals (marta.state, marta.&lt;register&gt;) exist on stands with MARTA; its registers are those of
/// the map, checked when the process starts (<see cref="UnknownMartaSignals"/>). A register reads null while the
/// link is down, the state reads DISCONNECTED.
/// </summary>
public sealed class InterlockSignals(IDeviceView<CaenView> caen, IDeviceView<JulaboView> julabo, IDeviceView<SensorsView> sensors,
    IDeviceView<MartaView>? marta = null, IDeviceView<SwitchBoxView>? switchBox = null)
{
    public const string MartaState = "marta.state";
    private const string MartaPrefix = "marta.";

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

    /// <summary>
    /// The first rule that reads a MARTA signal this stand cannot give (no MARTA, or a register the map lacks), as
    /// a start-up error: such a rule would never hold, and a protection that silently never acts is worse than none.
    /// </summary>
    public static string? UnknownMartaSignal(IEnumerable<InterlockRule> rules, Hardware.Marta.MartaRegisterMap? map)
    {
        foreach (var rule in rules)
            foreach (var signal in rule.Condition.Signals.Where(s => s.StartsWith(MartaPrefix, StringComparison.Ordinal)))
            {
                if (map is null) return $"interlock '{rule.Name}' reads {signal}, but MARTA is not enabled (Marta:Enabled is false)";
                if (signal != MartaState && map.Find(signal[MartaPrefix.Length..]) is null)
                    return $"interlock '{rule.Name}' reads {signal}, but {map.File} has no register '{signal[MartaPrefix.Length..]}'";
            }
        return null;
    }

    /// <summary>Null when the name is a signal, else why not.</summary>
    public static string? Check(string name)
    {
        if (Fixed.Contains(name) || name == MartaState) return null;
        var parts = name.Split('.');
        if (parts is ["marta", { Length: > 0 } register])
            return register.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? null : $"'{register}' is not a MARTA register name (letters, digits, _)";
        if (parts is ["sensor", { Length: > 0 }, var field])
            return SensorFields.Contains(field) ? null : $"unknown sensor field '{field}' (one of {string.Join(", ", SensorFields)})";
        return $"unknown signal '{name}' (one of {string.Join(", ", Fixed)}, sensor.<box>.<field>, sensor.max.<field>, {MartaState}, marta.<register>)";
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
            case "switchbox.state": return switchBox?.View.State;
            case "switchbox.lv": return switchBox?.View.Lv;
            case "switchbox.hv": return switchBox?.View.Hv;
            case "switchbox.channels": return (double?)switchBox?.View.EnabledCount;
            case MartaState: return marta?.View.State;
        }
        if (name.StartsWith(MartaPrefix, StringComparison.Ordinal)) return marta?.View.Value(name[MartaPrefix.Length..]);
        var parts = name.Split('.');
        return sensors.View.Max(parts[2], parts[1] == "max" ? null : parts[1]);
    }
}
