using TrackerDcs.Hardware.Common;
using TrackerDcs.Hardware.SwitchBox;

namespace TrackerDcs.Web.Devices.SwitchBox;

/// <summary>
/// The way to the box in serial mode: the configured serial port or TCP serial bridge, or (Port "simulated") a
/// simulated box this process serves on 127.0.0.1 and reaches over TCP with the real protocol, so the demo
/// exercises the real wire.
/// </summary>
public sealed class SwitchBoxLink : IAsyncDisposable
{
    public SwitchBoxLink(SwitchBoxOptions options, ILoggerFactory loggers)
    {
        if (!options.IsSimulated)
        {
            Settings = options.ToSettings();
            Description = options.Port;
            return;
        }
        Simulator = new SwitchBoxSimulator(loggers.CreateLogger<SwitchBoxSimulator>());
        var port = Simulator.ListenTcp();
        Settings = options.ToSettings($"127.0.0.1:{port}");
        Description = $"simulated switch box served on 127.0.0.1:{port}";
    }

    /// <summary>The simulated box when there is one: its fault injection is what demos and tests use.</summary>
    public SwitchBoxSimulator? Simulator { get; }

    /// <summary>The driver's settings, its port the real one or the simulated box's.</summary>
    public SwitchBoxSettings Settings { get; }

    public string Description { get; }

    /// <summary>A new, unopened transport for each connection attempt of the device.</summary>
    public ITransport NewTransport() => Transports.Create(Settings.Port, Settings.Serial);

    public async ValueTask DisposeAsync()
    {
        if (Simulator is not null) await Simulator.DisposeAsync();
    }
}
