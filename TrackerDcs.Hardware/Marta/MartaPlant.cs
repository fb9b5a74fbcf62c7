namespace TrackerDcs.Hardware.Marta;

/// <summary>What the PLC's inputs ask of the simulated plant.</summary>
internal readonly record struct MartaPlantInputs(bool Chiller, bool Co2, bool FlowActive, bool Tripped,
    double TemperatureSetpoint, double SpeedSetpoint, double FlowSetpoint)
{
    /// <summary>A fail-safe trip stops the compressor whatever the start bits say.</summary>
    public bool ChillerRuns => Chiller && !Tripped;

    /// <summary>The CO2 pump runs only with the chiller: without it the loop has nothing to condense on.</summary>
    public bool Co2Runs => ChillerRuns && Co2;
}

/// <summary>
/// The simulated plant: an R452A chiller whose evaporator cools the condenser of a pumped CO2 loop. Three state
/// variables relax exponentially toward their targets: the chiller's evaporating temperature (toward 10 K below
/// the CO2 set point while it runs), the CO2 loop's saturation temperature (toward the set point while the pump
/// runs, but never below what the chiller can condense: the chiller first, then CO2), and the pump's speed (the
/// speed set point, or in flow mode the speed that gives the flow set point). Stopped, the temperatures drift back
/// to ambient more slowly. Every register of the seed's map is computed from these: pressures are the saturation
/// pressures of the temperatures (less the drops the flow causes), calculated values come from the measured ones
/// as the PLC computes them (ST = saturation temperature of the measured pressure, SC = ST − TT, SH = TT − ST,
/// DP = pressure differences, DT = temperature differences), and sensors carry a little noise.
/// </summary>
internal sealed class MartaPlant(MartaSimulatorOptions options)
{
    /// <summary>The pump's flow per rpm (6000 rpm give 6 flow units; the set point goes to 5).</summary>
    private const double FlowPerRpm = 1.0 / 1000;
    private const double MaxSpeed = 6000;

    private long _tick;

    public double Evaporator { get; private set; } = options.AmbientTemperature;
    public double Loop { get; private set; } = options.AmbientTemperature;
    public double Speed { get; private set; }

    public void Advance(TimeSpan elapsed, MartaPlantInputs inputs)
    {
        if (elapsed <= TimeSpan.Zero) return;
        _tick++; // new noise only when time moves, so that a frozen clock reads the same values every time
        var ambient = options.AmbientTemperature;
        var chillerTau = options.ChillerTimeConstant.TotalSeconds * (inputs.ChillerRuns ? 1 : options.WarmUpSlowdown);
        var loopTau = options.Co2TimeConstant.TotalSeconds * (inputs.Co2Runs ? 1 : options.WarmUpSlowdown);
        var pumpTau = options.PumpTimeConstant.TotalSeconds;
        var speedTarget = !inputs.Co2Runs ? 0
            : inputs.FlowActive ? Math.Clamp(inputs.FlowSetpoint / FlowPerRpm, 0, MaxSpeed)
            : Math.Clamp(inputs.SpeedSetpoint, 0, MaxSpeed);

        // Exact exponential steps are stable at any size; short ones only so that the loop follows a moving chiller.
        var shortest = Math.Min(Math.Min(chillerTau, loopTau), pumpTau);
        var steps = (int)Math.Clamp(Math.Ceiling(elapsed.TotalSeconds / (shortest / 10)), 1, 1000);
        var h = elapsed.TotalSeconds / steps;
        for (var i = 0; i < steps; i++)
        {
            var evaporatorTarget = inputs.ChillerRuns ? Math.Max(inputs.TemperatureSetpoint - 10, -45) : ambient;
            var loopTarget = inputs.Co2Runs ? Math.Max(inputs.TemperatureSetpoint, Evaporator + 5) : ambient;
            Evaporator += (evaporatorTarget - Evaporator) * (1 - Math.Exp(-h / chillerTau));
            Loop += (loopTarget - Loop) * (1 - Math.Exp(-h / loopTau));
            Speed += (speedTarget - Speed) * (1 - Math.Exp(-h / pumpTau));
        }
    }

    /// <summary>Every computed register of the seed's map by name (the set_* inputs and alarm bits are the PLC's, not the plant's).</summary>
    public Dictionary<string, double> Readings(MartaPlantInputs inputs)
    {
        var r = new Dictionary<string, double>(StringComparer.Ordinal);
        var running = inputs.Co2Runs;
        var pump = Speed / MaxSpeed;

        // CO2 loop: accumulator (PT04, its heater TT04) → condenser → pump suction (PT01, TT01) → pump (PT02, TT02)
        // → filter FL1 (PT03, TT03) → the modules (PT05, TT05) → filter FL2 (PT06, TT06) → back (TT07). The PLC holds
        // the saturation pressure at the modules (the loop temperature); each part of the loop loses pressure with
        // the square of the flow, and in a steady loop the pump's head is exactly what the loop loses.
        var flow = Speed * FlowPerRpm;
        var drop = (double k) => k * flow * flow;
        var heater = running ? Math.Clamp(20 + 5 * (inputs.TemperatureSetpoint - Loop), 0, 100) : 0;
        var modules = MartaRefrigerants.Co2Pressure(Loop);
        var afterFilter2 = modules - drop(0.015);
        var accumulator = afterFilter2 - drop(0.01);
        var suctionPressure = accumulator - drop(0.005);
        var beforeModules = modules + drop(0.06);
        var pumpOutlet = beforeModules + drop(0.02);
        r["PT01_CO2"] = Pressure(suctionPressure, "PT01_CO2");
        r["PT02_CO2"] = Pressure(pumpOutlet, "PT02_CO2");
        r["PT03_CO2"] = Pressure(beforeModules, "PT03_CO2");
        r["PT04_CO2"] = Pressure(accumulator, "PT04_CO2");
        r["PT05_CO2"] = Pressure(modules, "PT05_CO2");
        r["PT06_CO2"] = Pressure(afterFilter2, "PT06_CO2");
        for (var i = 1; i <= 6; i++) r[$"ST0{i}_CO2_calc"] = MartaRefrigerants.Co2Temperature(r[$"PT0{i}_CO2"]);

        // Liquid from the condenser is subcooled toward the chiller's evaporator; the pump adds a little heat; at the
        // modules the CO2 boils (two-phase: at saturation); the return warms a little on its way.
        var suction = running ? Math.Max(Evaporator + 3, r["ST01_CO2_calc"] - 12) : Loop;
        r["TT01_CO2"] = Temperature(suction, "TT01_CO2");
        r["TT02_CO2"] = Temperature(suction + 0.4 * pump, "TT02_CO2");
        r["TT03_CO2"] = Temperature(suction + 0.6 * pump, "TT03_CO2");
        r["TT04_CO2"] = Temperature(Loop + heater / 10, "TT04_CO2");
        r["TT05_CO2"] = Temperature(r["ST05_CO2_calc"], "TT05_CO2");
        r["TT06_CO2"] = Temperature(r["ST06_CO2_calc"], "TT06_CO2");
        r["TT07_CO2"] = Temperature(r["ST06_CO2_calc"] + (running ? 0.5 : 0), "TT07_CO2");
        r["FT01_CO2"] = Math.Max(0, flow + Noise("FT01_CO2") * 0.5);
        for (var i = 1; i <= 6; i++) r[$"SC0{i}_CO2_calc"] = r[$"ST0{i}_CO2_calc"] - r[$"TT0{i}_CO2"];
        r["SC01_CO2_Start_calc"] = r["SC01_CO2_calc"];
        r["DP01_CO2_calc"] = r["PT02_CO2"] - r["PT03_CO2"];
        r["DP02_CO2_calc"] = r["PT05_CO2"] - r["PT06_CO2"];
        r["DP03_CO2_calc"] = r["PT02_CO2"] - r["PT01_CO2"];
        r["DP04_CO2_calc"] = r["PT03_CO2"] - r["PT05_CO2"];
        r["DT02_CO2_calc"] = r["TT03_CO2"] - r["TT02_CO2"];
        r["DT03_CO2_calc"] = r["TT02_CO2"] - r["TT01_CO2"]; // across the pump
        r["DP_EV3C_CO2_calc"] = running ? 0.2 + 0.1 * pump : 0;

        // Chiller: the compressor takes vapour from the evaporator (PT03, TT03 with its superheat; TT04 at the
        // compressor) and condenses it 15 K above ambient (PT01, discharge TT01; liquid line PT04, TT02). Stopped,
        // the circuit settles at one pressure.
        var chillerRuns = inputs.ChillerRuns;
        var condensing = chillerRuns ? options.AmbientTemperature + 15 : Evaporator;
        r["PT03_R452A"] = Pressure(MartaRefrigerants.R452APressure(Evaporator), "PT03_R452A");
        r["PT01_R452A"] = Pressure(MartaRefrigerants.R452APressure(condensing), "PT01_R452A");
        r["PT04_R452A"] = Pressure(r["PT01_R452A"] - (chillerRuns ? 0.3 : 0), "PT04_R452A");
        r["ST01_R452A_calc"] = MartaRefrigerants.R452ATemperature(r["PT01_R452A"]);
        r["ST03_R452A_calc"] = MartaRefrigerants.R452ATemperature(r["PT03_R452A"]);
        r["TT01_R452A"] = Temperature(chillerRuns ? condensing + 35 : Evaporator, "TT01_R452A");
        r["TT02_R452A"] = Temperature(chillerRuns ? condensing - 3 : Evaporator, "TT02_R452A");
        r["TT03_R452A"] = Temperature(Evaporator + (chillerRuns ? 6 : 0), "TT03_R452A");
        r["TT04_R452A"] = Temperature(Evaporator + (chillerRuns ? 8 : 0), "TT04_R452A");
        r["SH03_R452A_calc"] = r["TT03_R452A"] - r["ST03_R452A_calc"];
        r["SH01_R452A_calc"] = r["TT04_R452A"] - r["ST03_R452A_calc"];

        // Operational values: valve openings follow the load, the heater holds the accumulator, the set points echo.
        var load = Math.Clamp((Loop - Evaporator) / 30, 0, 1);
        r["EV1_valve_pos"] = chillerRuns ? 20 + 60 * load : 0;
        r["EV2_valve_pos"] = chillerRuns ? 100 - r["EV1_valve_pos"] : 0;
        r["EV3_valve_pos"] = running ? 30 + 40 * pump : 0;
        r["EV3C_valve_pos"] = running ? 20 + 20 * load : 0;
        r["LP_speed"] = Speed;
        r["EH_power"] = heater;
        r["temperature_setpoint"] = inputs.TemperatureSetpoint;
        r["speed_setpoint"] = inputs.SpeedSetpoint;
        r["flow_setpoint"] = inputs.FlowSetpoint;
        r["TC04_TSP"] = inputs.TemperatureSetpoint;
        return r;
    }

    private double Temperature(double value, string sensor) => value + Noise(sensor);
    private double Pressure(double value, string sensor) => Math.Max(0, value + Noise(sensor) / 10);

    /// <summary>Noise in ±<see cref="MartaSimulatorOptions.Noise"/>: a hash of the seed, the time step and the sensor, so repeatable.</summary>
    private double Noise(string sensor)
    {
        if (options.Noise == 0) return 0;
        var hash = 2166136261u ^ (uint)options.Seed;
        foreach (var c in sensor) hash = (hash ^ c) * 16777619u;
        hash = (hash ^ (uint)_tick) * 16777619u;
        hash ^= hash >> 15;
        hash *= 0x2c1b3c6du;
        hash ^= hash >> 12;
        return options.Noise * (hash / (double)uint.MaxValue * 2 - 1);
    }
}
