namespace TrackerDcs.Hardware.Julabo;

/// <summary>How the simulated chiller behaves. Defaults are believable for a demo; tests shorten the time constants.</summary>
public sealed class JulaboSimulatorOptions
{
    /// <summary>How fast the running bath follows its set point (63 % of the way in one constant).</summary>
    public TimeSpan TimeConstant { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>How far the module's external Pt100 lags behind the bath; null: a quarter of <see cref="TimeConstant"/>.</summary>
    public TimeSpan? ExternalLag { get; set; }

    /// <summary>How fast a stopped bath drifts to ambient; null: ten times <see cref="TimeConstant"/>.</summary>
    public TimeSpan? AmbientTimeConstant { get; set; }

    public double AmbientTemperature { get; set; } = 22;

    /// <summary>How much warmer than the bath the module settles (its own heat load).</summary>
    public double HeatLoad { get; set; } = 0.5;

    /// <summary>The unit's own set point limits: beyond them it answers -10/-11 in STATUS.</summary>
    public double TempMin { get; set; } = -50;
    public double TempMax { get; set; } = 50;

    /// <summary>The warning limits the unit comes with (OverTemp, SubTemp); null: the ends of its range, TempMax and TempMin.</summary>
    public double? WarningLimitHigh { get; set; }
    public double? WarningLimitLow { get; set; }

    public string Version { get; set; } = "JULABO FP50-HE SIMULATED 1.0";

    /// <summary>
    /// A command that comes sooner than this after the previous one taken is ignored (not carried out, not answered),
    /// as a real unit does below 250 ms. Zero (the default): every command is taken. The gap is measured where the
    /// simulator reads the command, after the scheduling delay of its host, so a busy test machine would see drops that
    /// the driver did not cause: only tests that drive the simulator on a fake clock turn it on.
    /// </summary>
    public TimeSpan MinCommandSpacing { get; set; }

    /// <summary>Whether an external Pt100 is plugged in; without one IN_PV_02 answers "---.--".</summary>
    public bool ExternalSensor { get; set; } = true;
}
