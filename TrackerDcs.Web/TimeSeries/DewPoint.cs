namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// Magnus formula with Sonntag's (1990) constants over water, a = 17.62, b = 243.12 °C: within 0.35 °C
/// from −45 to 60 °C, the range of a clean room.
/// </summary>
public static class DewPoint
{
    private const double A = 17.62;
    private const double B = 243.12;

    /// <summary>Dew point in °C, or null when the humidity (%) is not in (0, 100].</summary>
    public static double? Celsius(double temperature, double relativeHumidity)
    {
        if (!(relativeHumidity > 0 && relativeHumidity <= 100) || !double.IsFinite(temperature)) return null;
        var gamma = Math.Log(relativeHumidity / 100) + A * temperature / (B + temperature);
        return B * gamma / (A - gamma);
    }
}
