using System.Text.Json.Nodes;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices.Sensors;

namespace TrackerDcs.Web.Site;

/// <summary>
/// What the site shows of a stand's environment: its dew-point margin as the stand computes it for its interlocks and
/// alarms (coldest temperature minus highest dew point, <see cref="SensorsView"/>), and the stand's minimum. The
/// sensor boxes' own topics stay on the stand: the site needs the stand's figure, not every box's readings. Values are
/// rounded to 0.1 °C, so that the payload changes, and is sent, only when the figure shown changes.
/// </summary>
public static class SiteEnvironment
{
    public static string Payload(SensorsView view, double marginMin) => new JsonObject
    {
        ["dewpoint_margin"] = Round(view.DewPointMargin),
        ["dewpoint"] = Round(view.HighestDewPoint),
        ["coldest"] = Round(view.ColdestTemperature),
        ["dewpoint_margin_min"] = marginMin,
    }.ToJsonString(Json.Options);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
}
