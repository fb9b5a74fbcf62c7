using TrackerDcs.Hardware.Common;
using TrackerDcs.Hardware.Julabo;

namespace TrackerDcs.Web.Devices.Julabo;

/// <summary>
/// The way to the chiller: the configured serial port or TCP bridge, or (Port "simulated") a simulated unit this
/// process serves on 127.0.0.1 and reaches over TCP with the real protocol, so the demo exercises the real wire.
/// </summary>
public sealed class JulaboLink : IAsyncDisposable
{
    private readonly Func<ITransport> _transport;

    public JulaboLink(JulaboOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        if (!options.IsSimulated)
        {
            _transport = () => Transports.Create(options.Port, options.Serial);
            Description = options.Port;
            return;
        }
        Simulator = new JulaboSimulator(new JulaboSimulatorOptions
        {
            TimeConstant = options.SimulatedTimeConstant,
            TempMin = options.TempMin,
            TempMax = options.TempMax,
        }, time, loggers.CreateLogger<JulaboSimulator>());
        var port = Simulator.ListenTcp();
        _transport = () => new TcpTransport("127.0.0.1", port);
        Description = $"simulated chiller served on 127.0.0.1:{port}";
    }

    /// <summary>The simulated unit when there is one: its fault injection is what demos and tests use.</summary>
    public JulaboSimulator? Simulator { get; }

    public string Description { get; }

    /// <summary>A new, unopened transport for each connection attempt of the device.</summary>
    public ITransport NewTransport() => _transport();

    public async ValueTask DisposeAsync()
    {
        if (Simulator is not null) await Simulator.DisposeAsync();
    }
}
