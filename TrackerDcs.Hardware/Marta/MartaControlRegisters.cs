namespace TrackerDcs.Hardware.Marta;

/// <summary>
/// The registers the device and the simulator work with, found in a map by the seed's names and checked once:
/// the status, the four command bits, the three set points. The two start bits must share one register, so that
/// one read-modify-write decides both and the check that set_start_co2 is never 1 with set_start_chiller 0 sees
/// them at the same moment. A map without them, or with them typed otherwise or not marked input, is refused
/// naming the file, the line and the key.
/// </summary>
public sealed record MartaControlRegisters(
    MartaRegister Status, MartaRegister StartChiller, MartaRegister StartCo2, MartaRegister FlowActive, MartaRegister AlarmReset,
    MartaRegister TemperatureSetpoint, MartaRegister SpeedSetpoint, MartaRegister FlowSetpoint)
{
    public static MartaControlRegisters From(MartaRegisterMap map)
    {
        MartaRegister Need(string name, MartaRegisterType type, bool input)
        {
            var register = map.Find(name)
                ?? throw new MartaMapException(map.File, map.RegistersLine, name, $"MARTA needs a {Describe(type)} register {name}{(input ? " marked input: true" : "")}");
            if (register.Type != type)
                throw new MartaMapException(map.File, register.Line, name, $"MARTA needs {name} to be a {Describe(type)}, not {register.Where}");
            if (input && !register.Input)
                throw new MartaMapException(map.File, register.Line, "input", $"MARTA writes {name}, so it must be marked input: true (only input registers are ever written)");
            return register;
        }

        var registers = new MartaControlRegisters(
            Need("status", MartaRegisterType.Int, input: false),
            Need("set_start_chiller", MartaRegisterType.Bool, input: true),
            Need("set_start_co2", MartaRegisterType.Bool, input: true),
            Need("set_flow_active", MartaRegisterType.Bool, input: true),
            Need("set_alarm_reset", MartaRegisterType.Bool, input: true),
            Need("set_temperature_setpoint", MartaRegisterType.Float32, input: true),
            Need("set_speed_setpoint", MartaRegisterType.Float32, input: true),
            Need("set_flow_setpoint", MartaRegisterType.Float32, input: true));
        if (registers.StartCo2.Address != registers.StartChiller.Address)
            throw new MartaMapException(map.File, registers.StartCo2.Line, "address",
                $"set_start_co2 ({registers.StartCo2.Where}) must share set_start_chiller's register ({registers.StartChiller.Where}), so that both are read and written together");
        return registers;
    }

    private static string Describe(MartaRegisterType type) => type switch
    {
        MartaRegisterType.Float32 => "float32",
        MartaRegisterType.Bool => "bool",
        _ => "int",
    };

    /// <summary>The seed's invariant on the start bits' register: CO2 on with the chiller off must never be written.</summary>
    public bool Co2WithoutChiller(ushort startRegister) =>
        StartCo2.Decode([startRegister]).IsTrue && !StartChiller.Decode([startRegister]).IsTrue;
}
