using TrackerDcs.Hardware.Marta;

namespace TrackerDcs.Web.Devices.Marta;

/// <summary>
/// The way to the plant: the configured PLC, or (no Marta:Host) a simulated MARTA this process serves on 127.0.0.1
/// and reaches over Modbus TCP like a real one, so the demo exercises the real wire, register map and word order.
/// </summary>
public sealed class MartaLink : IAsyncDisposable
{
    public MartaLink(MartaOptions options, MartaRegisterMap map, TimeProvider time, ILoggerFactory loggers)
    {
        Map = map;
        Settings = options.ToSettings();
        if (!options.IsSimulated)
        {
            Description = $"PLC at {Settings.Host}:{Settings.Port} unit {Settings.UnitId}";
            return;
        }
        Simulator = new MartaSimulator(map, new MartaSimulatorOptions
        {
            Port = options.SimulatorPort,
            UnitId = Settings.UnitId,
            Co2TimeConstant = options.SimulatedTimeConstant,
        }, time, loggers.CreateLogger<MartaSimulator>());
        Settings = Settings with { Host = "127.0.0.1", Port = Simulator.EndPoint.Port };
        Description = $"simulated plant served on 127.0.0.1:{Simulator.EndPoint.Port} unit {Settings.UnitId}";
    }

    public MartaRegisterMap Map { get; }

    /// <summary>The device's settings, pointing at the PLC or at the simulated plant.</summary>
    public MartaSettings Settings { get; }

    /// <summary>The simulated plant when there is one: its fault injection is what demos and tests use.</summary>
    public MartaSimulator? Simulator { get; }

    public string Description { get; }

    public async ValueTask DisposeAsync()
    {
        if (Simulator is not null) await Simulator.DisposeAsync();
    }
}
