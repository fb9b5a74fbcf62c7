namespace TrackerDcs.Hardware.Sensors;

/// <summary>
/// The Magnus formula with Sonntag's (1990) constants over water (a = 17.62, b = 243.12 °C), within
/// 0.35 °C from −45 to 60 °C: the range of a clean room and a cold box. One formula for the alarms,
/// the interlocks, the BME_dew field written to InfluxDB and the simulated box, so they never disagree.
/// </summary>
public static class DewPoint
{
    private const double A = 17.62;
    private const double B = 243.12;

    /// <summary>Dew point in °C, or null when the humidity (%) is not in (0, 100] or the temperature is not a number.</summary>
    public static double? Celsius(double temperature, double relativeHumidity)
    {
        if (!(relativeHumidity > 0 && relativeHumidity <= 100) || !double.IsFinite(temperature)) return null;
        var gamma = Math.Log(relativeHumidity / 100) + A * temperature / (B + temperature);
        return B * gamma / (A - gamma);
    }

    /// <summary>The relative humidity (%) of air at <paramref name="temperature"/> whose dew point is <paramref name="dewPoint"/>: the inverse of <see cref="Celsius"/>.</summary>
    public static double RelativeHumidity(double temperature, double dewPoint) =>
        100 * Math.Exp(A * dewPoint / (B + dewPoint) - A * temperature / (B + temperature));
}
