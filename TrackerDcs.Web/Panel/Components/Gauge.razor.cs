using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>A half-circle gauge (the seed dashboard's bath and power gauges), drawn as SVG with no script.</summary>
public partial class Gauge
{
    [Parameter, EditorRequired] public string Label { get; set; } = "";
    [Parameter] public double? Value { get; set; }
    [Parameter] public double Min { get; set; }
    [Parameter] public double Max { get; set; } = 100;
    [Parameter] public string Unit { get; set; } = "";
    [Parameter] public string Format { get; set; } = "0.0";
    [Parameter] public string Colour { get; set; } = "var(--mud-palette-primary)";
    [Parameter] public int Width { get; set; } = 160;

    /// <summary>Where the value sits between Min and Max, clamped to 0–1.</summary>
    public double Fraction => Value is { } v && Max > Min ? Math.Clamp((v - Min) / (Max - Min), 0, 1) : 0;

    public string Text => Value is { } v ? $"{v.ToString(Format, CultureInfo.InvariantCulture)} {Unit}".Trim() : "—";

    private static string Arc(double fraction)
    {
        const double cx = 60, cy = 62, r = 48;
        var angle = Math.PI * (1 - Math.Max(fraction, 0.001));
        var x = cx + r * Math.Cos(angle);
        var y = cy - r * Math.Sin(angle);
        return string.Create(CultureInfo.InvariantCulture, $"M {cx - r} {cy} A {r} {r} 0 0 1 {x:0.##} {y:0.##}");
    }
}
