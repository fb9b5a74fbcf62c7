namespace TrackerDcs.Hardware.Marta;

/// <summary>
/// Saturation pressure and temperature of the simulated plant's two refrigerants, close enough for a believable
/// display and for consistent calculated values (ST = saturation temperature of the measured pressure).
/// </summary>
internal static class MartaRefrigerants
{
    // CO2: the ancillary vapour-pressure equation of Span & Wagner (J. Phys. Chem. Ref. Data 25, 1996, eq. 3.13):
    // ln(p/pc) = (Tc/T) Σ aᵢ (1 − T/Tc)^tᵢ, from the triple point (−56.56 °C) to the critical point (31.0 °C).
    private const double Co2CriticalKelvin = 304.1282;
    private const double Co2CriticalBar = 73.773;
    private const double Co2TripleCelsius = -56.5;
    private const double Co2CriticalCelsius = 30.9;
    private static readonly (double A, double T)[] Co2Terms = [(-7.0602087, 1), (1.9391218, 1.5), (-1.6463597, 2), (-3.2995634, 4)];

    /// <summary>Absolute bar; 0 °C gives 34.85 bar, −20 °C 19.7 bar.</summary>
    public static double Co2Pressure(double celsius)
    {
        var t = Math.Clamp(celsius, Co2TripleCelsius, Co2CriticalCelsius) + 273.15;
        var tau = 1 - t / Co2CriticalKelvin;
        var sum = Co2Terms.Sum(term => term.A * Math.Pow(tau, term.T));
        return Co2CriticalBar * Math.Exp(Co2CriticalKelvin / t * sum);
    }

    /// <summary>The inverse of <see cref="Co2Pressure"/> (it rises monotonically, so bisection finds it).</summary>
    public static double Co2Temperature(double bar)
    {
        var (low, high) = (Co2TripleCelsius, Co2CriticalCelsius);
        for (var i = 0; i < 40; i++)
        {
            var mid = (low + high) / 2;
            if (Co2Pressure(mid) < bar) low = mid; else high = mid;
        }
        return (low + high) / 2;
    }

    // R452A: a two-point Clausius–Clapeyron fit, ln(p/bar) = A − B/T, through about 1.3 bar at −40 °C and 18 bar at
    // 40 °C (its dew line is within a few tenths of a bar of that over the chiller's range).
    private const double R452AA = 10.593;
    private const double R452AB = 2408.6;

    public static double R452APressure(double celsius) => Math.Exp(R452AA - R452AB / (celsius + 273.15));

    public static double R452ATemperature(double bar) => R452AB / (R452AA - Math.Log(bar)) - 273.15;
}
