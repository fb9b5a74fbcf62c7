namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// The simulated bath and the module it cools. Running, the bath relaxes exponentially toward its
/// target; stopped, it drifts toward ambient much more slowly. The external Pt100 sits on the module,
/// which follows the bath with a lag and stays <see cref="HeatLoad"/> warmer (the powered modules).
/// With the external sensor in control the unit aims the bath lower by that offset, so that the
/// external reading settles on the set point. Power is proportional to the distance from the target,
/// negative when cooling, as the unit reports it. <see cref="ExtraHeat"/> is a fault: a heat load the
/// unit cannot take away (a compressor failing, a blocked condenser, a heater left on in the box), which
/// holds the bath that many kelvin above where the unit aims it.
/// </summary>
internal sealed class JulaboBath(double ambient, TimeSpan timeConstant, TimeSpan externalLag, TimeSpan ambientTimeConstant, double heatLoad)
{
    private const double PowerPerKelvin = 10;

    private readonly double _ambient = ambient;
    private readonly double _heatLoad = heatLoad;

    public double Bath { get; private set; } = ambient;
    public double External { get; private set; } = ambient + heatLoad;
    public double Power { get; private set; }
    public double ExtraHeat { get; set; }

    public void Advance(TimeSpan elapsed, bool running, double setpoint, bool externalControl)
    {
        if (elapsed <= TimeSpan.Zero) return;
        var aim = running ? (externalControl ? setpoint - _heatLoad : setpoint) : _ambient;
        var target = aim + ExtraHeat;
        var bathTau = running ? timeConstant : ambientTimeConstant;

        // Exact exponential steps are stable for any step size; the steps only have to be short
        // against the lag so that the module follows a moving bath, and a long gap is capped.
        var shortest = Math.Min(bathTau.TotalSeconds, externalLag.TotalSeconds);
        var steps = (int)Math.Clamp(Math.Ceiling(elapsed.TotalSeconds / (shortest / 10)), 1, 1000);
        var h = elapsed.TotalSeconds / steps;
        var bathStep = 1 - Math.Exp(-h / bathTau.TotalSeconds);
        var externalStep = 1 - Math.Exp(-h / externalLag.TotalSeconds);
        for (var i = 0; i < steps; i++)
        {
            Bath += (target - Bath) * bathStep;
            External += (Bath + _heatLoad - External) * externalStep;
        }
        // Against a load it cannot take away the unit cools flat out.
        Power = running ? Math.Clamp(PowerPerKelvin * (aim - Bath), -100, 100) : 0;
    }
}
