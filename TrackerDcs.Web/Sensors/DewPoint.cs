namespace TrackerDcs.Web.Sensors;

/// <summary>
/// The Magnus formula with Sonntag's constants (a = 6.112 hPa, b = 17.62, c = 243.12 °C), good to
/// ±0.35 °C between −45 and 60 °C: the range of a clean room and a cold box.
/// </summary>
public static class DewPoint
{
    private const double B = 17.62;
    private const double C = 243.12;

    public static double Celsius(double temperature, double relativeHumidity)
    {
        var gamma = Math.Log(Math.Clamp(relativeHumidity, 0.01, 100) / 100) + B * temperature / (C + temperature);
        return C * gamma / (B - gamma);
    }
}
