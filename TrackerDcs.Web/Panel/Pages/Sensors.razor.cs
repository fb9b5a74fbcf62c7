using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Sensors;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>Each sensor box's latest readings and dew point, the stand's dew-point margin, and each box's temperature history.</summary>
public partial class Sensors
{
    [Inject] private EnvironmentMonitor Environment { get; set; } = default!;

    private IReadOnlyList<SensorBox> Boxes { get; set; } = [];
    private double? Margin { get; set; }

    protected override PanelTopic Topics => PanelTopic.Sensors | PanelTopic.Julabo;

    protected override void Load()
    {
        Boxes = Environment.Boxes;
        Margin = Environment.DewPointMargin;
    }

    private static string Degrees(double? value) => value is { } v ? $"{v:0.0} °C" : "unknown";
}
