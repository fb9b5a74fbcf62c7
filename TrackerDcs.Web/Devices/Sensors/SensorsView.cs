namespace TrackerDcs.Web.Devices.Sensors;

/// <summary>
/// The environment of the stand as the rest of the process reads it (panel, alarms, interlocks, runs): every
/// sensor box's latest readings, the highest dew point among them, and its margin to the coldest temperature
/// on the stand (the chiller's bath and external sensor): the figure that says whether modules may condense.
/// </summary>
public sealed record SensorsView(IReadOnlyList<SensorBox> Boxes, double? ColdestTemperature)
{
    public double? HighestDewPoint { get; } = Boxes.Select(b => b.DewPoint).Where(d => d.HasValue).Max();

    /// <summary>Coldest temperature minus highest dew point; null while either is unknown.</summary>
    public double? DewPointMargin => ColdestTemperature - HighestDewPoint;

    /// <summary>The highest value of a field among the boxes (<paramref name="box"/> null) or of one box; null when none has it.</summary>
    public double? Max(string field, string? box = null)
    {
        var values = Boxes.Where(b => box is null || b.Name == box)
            .Select(b => b.Readings.TryGetValue(field, out var v) ? v : (double?)null).Where(v => v.HasValue).ToList();
        return values.Count == 0 ? null : values.Max();
    }
}
