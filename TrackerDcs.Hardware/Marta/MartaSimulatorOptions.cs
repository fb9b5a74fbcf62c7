namespace TrackerDcs.Hardware.Marta;

/// <summary>The simulated MARTA: where it listens and how fast its plant moves.</summary>
public sealed record MartaSimulatorOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 (the default) picks a free one. Never 502 by default: a demo must not pass for a plant.</summary>
    public int Port { get; init; }

    public byte UnitId { get; init; } = 1;

    public double AmbientTemperature { get; init; } = 20;

    /// <summary>How fast the chiller's evaporator follows its target once started.</summary>
    public TimeSpan ChillerTimeConstant { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How fast the CO2 loop follows its set point once started.</summary>
    public TimeSpan Co2TimeConstant { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How fast the pump's speed follows its target.</summary>
    public TimeSpan PumpTimeConstant { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Stopped, everything drifts back to ambient this many times more slowly.</summary>
    public double WarmUpSlowdown { get; init; } = 5;

    /// <summary>The sensors' noise (kelvin; pressures get a tenth of it in bar). 0 gives exact values.</summary>
    public double Noise { get; init; } = 0.02;

    /// <summary>Seeds the noise, so that a run can be repeated.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The set points the PLC holds at power-up (°C, rpm, flow units).</summary>
    public double InitialTemperatureSetpoint { get; init; } = 15;
    public double InitialSpeedSetpoint { get; init; } = 3000;
    public double InitialFlowSetpoint { get; init; } = 2;
}
