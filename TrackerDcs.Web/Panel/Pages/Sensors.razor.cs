using TrackerDcs.Web.Devices;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.History;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Trends;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>Each sensor box's latest readings and dew point, the stand's dew-point margin, and each box's temperature history.</summary>
public partial class Sensors
{
    [Inject] private IDeviceView<SensorsView> Service { get; set; } = default!;

    private SensorsView Environment { get; set; } = default!; // set by Load before the first render
    private IReadOnlyList<SensorBox> Boxes => Environment.Boxes;
    private double? Margin => Environment.DewPointMargin;

    protected override PanelTopic Topics => PanelTopic.Sensors | PanelTopic.Julabo;

    protected override void Load()
    {
        Environment = Service.View;
    }

    /// <summary>A box's temperatures, humidities and the dew points the store computes from them: two axes, °C and %.</summary>
    private static IReadOnlyList<string> SignalsOf(SensorBox box)
    {
        var measured = box.Readings.Keys.Where(k => k.EndsWith("_temp") || k.EndsWith("_humi")).ToList();
        var dewPoints = measured.Where(f => f.EndsWith("_temp") && box.Readings.ContainsKey(f[..^5] + "_humi")).Select(f => f[..^5] + "_dew");
        return [.. measured.Concat(dewPoints).Distinct().Order().Select(f => new History.SignalId("sensors", f, [new("sensor", box.Name)]).Key)];
    }

    /// <summary>A reading with the unit the trends give its quantity (BME_temp °C, BME_humi %, …: one table, StandSignals).</summary>
    private static string WithUnit(SensorBox box, string field, double value) =>
        Reading.Format(value, "0.##", Signals.Describe(new SignalId("sensors", field, [new("sensor", box.Name)])).Unit);

    private static readonly StandSignals Signals = new();

    private static string Degrees(double? value) => value is { } v ? $"{v:0.0} °C" : "unknown";
}
