using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.History;

namespace TrackerDcs.Web.Trends;

/// <summary>
/// The stand's measurements as the seed's schema writes them (docs/trends.md): CAEN channels (one series per
/// channel id; units from the field table), the chiller and the sensor boxes.
/// </summary>
public sealed class StandSignals : ISignalDescriber
{
    private static readonly Dictionary<string, string> ChannelUnits = BuildChannelUnits();

    private static readonly Dictionary<string, (string Label, string Unit)> Chiller = new()
    {
        ["internal_temp"] = ("Bath temperature", "°C"),
        ["external_temp"] = ("External temperature", "°C"),
        ["power"] = ("Heating/cooling power", "%"),
        ["setpoint_1"] = ("Set point 1", "°C"),
        ["setpoint_2"] = ("Set point 2", "°C"),
        ["setpoint_3"] = ("Set point 3", "°C"),
        ["used_setpoint"] = ("Set point in use", ""),
        ["limit_high"] = ("High warning limit", "°C"),
        ["limit_low"] = ("Low warning limit", "°C"),
        ["status_code"] = ("Status code", ""),
    };

    /// <summary>The sensor boxes' quantities: ESPnn/sensors/&lt;sensor&gt;/&lt;quantity&gt; makes the field &lt;sensor&gt;_&lt;quantity&gt;.</summary>
    private static readonly Dictionary<string, (string Label, string Unit)> Quantities = new()
    {
        ["temp"] = ("temperature", "°C"),
        ["humi"] = ("relative humidity", "%"),
        ["pres"] = ("pressure", "hPa"),
        ["dew"] = ("dew point", "°C"),
    };

    public bool Describes(string measurement) => measurement is "channels" or "chiller" or "sensors";

    public SignalId Canonical(SignalId signal) => signal.Measurement switch
    {
        "channels" => new SignalId(signal.Measurement, signal.Field, signal.Tags.Where(t => t.Key == "id")),
        "sensors" => new SignalId(signal.Measurement, signal.Field, signal.Tags.Where(t => t.Key == "sensor")),
        _ => new SignalId(signal.Measurement, signal.Field),
    };

    public SignalInfo Describe(SignalId signal)
    {
        switch (signal.Measurement)
        {
            case "channels":
                var id = signal.Tag("id") ?? "?";
                return new SignalInfo(signal.Key, $"ch {id} {signal.Field}", $"Channel {id}", ChannelUnits.GetValueOrDefault(signal.Field, ""));
            case "sensors":
                var box = signal.Tag("sensor") ?? "?";
                var split = signal.Field.LastIndexOf('_');
                var (label, unit) = split > 0 && Quantities.TryGetValue(signal.Field[(split + 1)..], out var q)
                    ? ($"{box} {signal.Field[..split]} {q.Label}", q.Unit)
                    : ($"{box} {signal.Field}", "");
                return new SignalInfo(signal.Key, label, $"Sensor box {box}", unit);
            default:
                var (text, units) = Chiller.GetValueOrDefault(signal.Field, (signal.Field, ""));
                return new SignalInfo(signal.Key, $"Chiller {text.ToLowerInvariant()}", "Chiller", units);
        }
    }

    /// <summary>lv_vMon → V, hv_iMon → µA, …: the JSON keys of dcs/channels with the units of CaenFields.</summary>
    private static Dictionary<string, string> BuildChannelUnits()
    {
        var units = new Dictionary<string, string>();
        foreach (var (prefix, fields) in new[] { ("lv_", CaenFields.Lv), ("hv_", CaenFields.Hv) })
            foreach (var field in fields.Where(f => f.JsonKey is not null))
                units[prefix + field.JsonKey] = field.Units;
        return units;
    }
}
