namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// A silicon sensor as its HV channel sees it, for believable IV curves from the simulated crate (currents in µA,
/// the unit of HV IMon). Reverse-biased, its leakage is the generation current of the depleted volume:
/// <list type="bullet">
/// <item>below full depletion the depleted depth, and with it the current, grows as √V; above it the current is
/// nearly flat (a small ohmic slope from the surface);</item>
/// <item>generation current follows the intrinsic carrier density, I ∝ T² exp(−E/2kT) with E ≈ 1.21 eV, which near
/// room temperature doubles every ~7 K: the factor 2^((T − T_ref)/7);</item>
/// <item>above the breakdown voltage avalanche multiplication makes it rise exponentially;</item>
/// <item>a step in voltage charges the sensor's capacitance and its traps: a transient proportional to the step that
/// decays with a time constant (what an IV scan's settle time waits out).</item>
/// </list>
/// </summary>
public sealed record SensorIv(
    double DepletionVolts = 250,
    double DepletedMicroamps = 1.0,
    double PlateauMicroampsPerVolt = 0.0005,
    double Celsius = 20,
    double ReferenceCelsius = 20,
    double DoublingKelvin = 7,
    double BreakdownVolts = double.PositiveInfinity,
    double BreakdownScaleVolts = 10,
    double ChargeMicroampsPerVolt = 0.02,
    double TransientSeconds = 5)
{
    /// <summary>The settled current at <paramref name="volts"/> (bias magnitude) and the sensor's temperature.</summary>
    public double Steady(double volts)
    {
        if (volts <= 0) return 0;
        var bulk = DepletedMicroamps * Math.Sqrt(Math.Min(volts, DepletionVolts) / DepletionVolts)
                   + PlateauMicroampsPerVolt * Math.Max(0, volts - DepletionVolts);
        var avalanche = volts > BreakdownVolts ? Math.Exp((volts - BreakdownVolts) / BreakdownScaleVolts) : 1;
        return bulk * Math.Pow(2, (Celsius - ReferenceCelsius) / DoublingKelvin) * avalanche;
    }

    /// <summary>Null when the parameters describe a sensor, else what is wrong.</summary>
    public string? Problem() =>
        DepletionVolts <= 0 ? "the depletion voltage must be positive"
        : DepletedMicroamps < 0 || PlateauMicroampsPerVolt < 0 || ChargeMicroampsPerVolt < 0 ? "currents cannot be negative"
        : DoublingKelvin <= 0 || BreakdownScaleVolts <= 0 || TransientSeconds <= 0 ? "the doubling, breakdown scale and transient time must be positive"
        : double.IsNaN(BreakdownVolts) || BreakdownVolts <= 0 ? "the breakdown voltage must be positive (or infinite: none)"
        : !double.IsFinite(Celsius) ? "the temperature must be a number"
        : null;
}

/// <summary>A sensor's current over time: the steady curve plus the charging transient of the last voltage changes.</summary>
internal sealed class SensorCurrent(SensorIv model)
{
    private double _transient, _volts;

    public SensorIv Model => model;

    /// <summary>Advances by <paramref name="seconds"/> to the output <paramref name="volts"/>; returns the current in µA.</summary>
    public double Step(double volts, double seconds)
    {
        _transient = _transient * Math.Exp(-seconds / model.TransientSeconds) + model.ChargeMicroampsPerVolt * Math.Abs(volts - _volts);
        _volts = volts;
        return model.Steady(volts) + _transient;
    }
}
