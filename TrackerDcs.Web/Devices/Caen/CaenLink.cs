using System.Net;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Web.Devices.Caen;

/// <summary>
/// The way to the crate: the real IOC through Channel Access as configured (EPICS_CA_* or the
/// "ChannelAccess" section), or a simulated SY4527 this process serves on loopback and then reaches
/// through the same Channel Access client, so the demo exercises the real wire.
/// </summary>
public sealed class CaenLink : IAsyncDisposable
{
    private readonly CaServer? _server;
    private readonly CaClient _client;
    private readonly ChannelAccessPvAccess _access;
    private readonly string _description;

    public CaenLink(CaenOptions options, ChannelAccessOptions channelAccess, ILoggerFactory loggers)
    {
        if (options.Simulated)
        {
            Simulator = new SimulatedCaenCrate(options.Prefix);
            _server = new CaServer(Simulator.Find,
                new CaServerOptions { BindAddress = IPAddress.Loopback, Port = options.SimulatorPort },
                loggers.CreateLogger<CaServer>());
            channelAccess = new ChannelAccessOptions
            {
                AddressList = $"127.0.0.1:{options.SimulatorPort}",
                AutoAddressList = false,
                ServerPort = options.SimulatorPort,
            };
            _description = $"simulated SY4527 served on 127.0.0.1:{options.SimulatorPort}";
        }
        else
        {
            _description = $"IOC via addresses '{channelAccess.AddressList}' (auto {channelAccess.AutoAddressList}), name servers '{channelAccess.NameServers}', port {channelAccess.ServerPort}";
        }
        _client = new CaClient(channelAccess, loggers.CreateLogger<CaClient>());
        var simulator = Simulator;
        _access = new ChannelAccessPvAccess(_client, pv => simulator?.MonitorDeadBand(pv) ?? 0, logger: loggers.CreateLogger<ChannelAccessPvAccess>());
    }

    /// <summary>The simulated crate when there is one: its fault injection is what demos and tests use.</summary>
    public SimulatedCaenCrate? Simulator { get; }

    public CaServer? SimulatorServer => _server;

    public ICaenPvAccess Access => _access;

    public string Describe() => _description;

    public Task StartAsync(CancellationToken ct)
    {
        Simulator?.Start(SimulatedCaenCrate.DefaultTickPeriod);
        _server?.Start();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _access.DisposeAsync();
        await _client.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
        Simulator?.Dispose();
    }
}
