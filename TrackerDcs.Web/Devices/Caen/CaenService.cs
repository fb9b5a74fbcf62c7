using TrackerDcs.Hardware;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Devices.Caen;

/// <summary>
/// Hosts the CAEN driver: loads the channel map, connects it to the crate (or to the simulated one), keeps
/// its <see cref="View"/>, and publishes the seed's topics: dcs/status (retained, on change), dcs/channels (one
/// object per channel, on change and every <see cref="CaenOptions.PublishPeriod"/>) and, new, each channel
/// retained on dcs/channels/&lt;id&gt; so a client that connects late sees the crate at once. The service keeps
/// its identity across a reload of channels.yml: readers follow <see cref="Changed"/>, never the driver object.
/// </summary>
public sealed class CaenService : BackgroundService, IDeviceView<CaenView>
{
    private readonly CaenOptions _options;
    private readonly CaenLink _link;
    private readonly IMqttPublisher _publisher;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<CaenService> _log;
    private readonly PublishLoop _loop;
    private readonly ViewCache<CaenView> _view;
    private readonly CaenSetPoints _setPoints;
    private string? _lastStatus;

    public CaenService(CaenOptions options, ChannelMap map, CaenLink link, CaenSetPoints setPoints, IMqttPublisher publisher, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _setPoints = setPoints;
        _link = link;
        _publisher = publisher;
        _loggers = loggers;
        _log = loggers.CreateLogger<CaenService>();
        _loop = new PublishLoop("the crate status", options.PublishPeriod, time, _log);
        Device = NewDevice(map);
        _view = new ViewCache<CaenView>(() => CaenView.From(Device.Snapshot(), _setPoints.Origin));
    }

    /// <summary>The driver, for the command routes; replaced by a reload. Everything else reads <see cref="View"/>.</summary>
    public CaenDevice Device { get; private set; }

    /// <summary>The MQTT topic root: `name` of channels.yml (a reload may not change it).</summary>
    public string Root => Device.Map.Name;

    /// <summary>Raised (on any thread) after the crate changed or the channel map was reloaded.</summary>
    public event Action? Changed;

    /// <summary>The crate now: built from one snapshot of the driver when something changed since the last one asked.</summary>
    public CaenView View => _view.Current;

    /// <summary>/readyz: the driver is ready once the crate answers; the detail names every PV it lacks.</summary>
    public ComponentState Readiness()
    {
        var view = View;
        var detail = view.Missing.Count == 0 ? _link.Describe() : $"{_link.Describe()}; {string.Join("; ", view.Missing)}";
        return new ComponentState(view.Reachable, view.State, detail);
    }

    /// <summary>Loads channels.yml again; a broken file is refused with its line and key, and the old map stays.</summary>
    public async Task<CommandResult> ReloadAsync(CancellationToken ct)
    {
        ChannelMap map;
        try
        {
            map = ChannelMap.Load(CaenSetup.ChannelsPath(_options));
        }
        catch (ChannelMapException e)
        {
            return CommandResult.Refused(e.Message);
        }
        if (map.Name != Root) return CommandResult.Refused($"name '{map.Name}' differs from the running '{Root}': the topic root changes only with a restart");
        var old = Device;
        Device = NewDevice(map);
        old.Changed -= OnDeviceChanged;
        old.Dispose();
        OnDeviceChanged();
        var result = await Device.StartAsync(ct);
        _log.LogInformation("Reloaded {File} ({Channels} channels, sha256 {Hash})", map.Source, map.Channels.Count, map.Sha256);
        return result;
    }

    /// <summary>
    /// dcs/cmd/setv/lv|hv/&lt;id&gt;: the driver checks and puts the set point; one the crate accepted is kept with who set
    /// it (<see cref="CaenSetPoints"/>), so a restart writes it again instead of channels.yml's.
    /// </summary>
    public async Task<CommandResult> SetVoltageAsync(PowerKind kind, string id, double volts, string user, CancellationToken ct)
    {
        var device = Device;
        var result = await device.SetVoltageAsync(kind, id, volts, ct);
        if (!result.Ok) return result;
        var file = device.Map.Find(id)!.Supply(kind).SetV;
        var problem = _setPoints.Keep(id, kind, volts, file, user);
        OnDeviceChanged();
        // The crate has the value either way; a set point that would not survive a restart is the operator's to know.
        return problem is null ? result : CommandResult.Refused(problem);
    }

    /// <summary>dcs/status when it changed, and every channel on dcs/channels and dcs/channels/&lt;id&gt;, from one view.</summary>
    public async Task PublishAsync(CancellationToken ct)
    {
        var view = View;
        var status = CaenTopics.StatusPayload(view).ToJsonString(Json.Options);
        if (status != _lastStatus)
        {
            await _publisher.PublishAsync(CaenTopics.Status(view.Root), status, retain: true, cancellationToken: ct);
            _lastStatus = status;
        }
        foreach (var channel in view.Channels)
        {
            var payload = CaenTopics.ChannelPayload(channel).ToJsonString(Json.Options);
            await _publisher.PublishAsync(CaenTopics.Channels(view.Root), payload, cancellationToken: ct);
            await _publisher.PublishAsync(CaenTopics.Channel(view.Root, channel.Id), payload, retain: true, cancellationToken: ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _link.StartAsync(stoppingToken);
        var started = await Device.StartAsync(stoppingToken);
        if (!started.Ok) _log.LogWarning("CAEN settings not written yet: {Reason}", started.Error);
        await _loop.RunAsync(PublishAsync, stoppingToken);
    }

    /// <summary>The device ends here; its link (and simulator) belongs to the container, which disposes it once, after this service.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Device.Dispose();
    }

    private CaenDevice NewDevice(ChannelMap map)
    {
        var device = new CaenDevice(map, _link.Access, _options.Prefix, _loggers.CreateLogger<CaenDevice>(), _setPoints.Resolve(map));
        device.Changed += OnDeviceChanged;
        return device;
    }

    private void OnDeviceChanged()
    {
        _view.Invalidate();
        _loop.Wake();
        Changed?.Invoke();
    }
}
