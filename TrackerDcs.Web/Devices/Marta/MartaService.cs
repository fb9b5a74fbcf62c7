using TrackerDcs.Hardware.Marta;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Devices.Marta;

/// <summary>
/// Hosts the MARTA device, keeps its <see cref="View"/>, and publishes the seed's MARTA/status (what passed the
/// deadbands, through <see cref="MartaPublishFilter"/>) and MARTA/alarms after every read. A status that could not be
/// published is not lost: it is sent with the next one (the filter already counts it as published).
/// </summary>
public sealed class MartaService : BackgroundService, IDeviceView<MartaView>
{
    private readonly MartaLink _link;
    private readonly IMqttPublisher _publisher;
    private readonly ILogger<MartaService> _log;
    private readonly PublishLoop _loop;
    private readonly ViewCache<MartaView> _view;
    private readonly MartaPublishFilter _filter;
    private MartaPublication? _unsent; // only the publish loop touches it

    public MartaService(MartaLink link, IMqttPublisher publisher, TimeProvider time, ILoggerFactory loggers)
    {
        _link = link;
        _publisher = publisher;
        _log = loggers.CreateLogger<MartaService>();
        _loop = new PublishLoop("the MARTA status", link.Settings.PollPeriod, time, _log);
        _filter = new MartaPublishFilter(link.Map, link.Settings.ForcedPublishPeriod, time);
        Device = new MartaDevice(link.Map, link.Settings, time, loggers.CreateLogger<MartaDevice>());
        _view = new ViewCache<MartaView>(() => MartaView.From(Device.Snapshot, link.Description));
        Device.SnapshotChanged += _ =>
        {
            _view.Invalidate();
            _loop.Wake();
            Changed?.Invoke();
        };
    }

    /// <summary>The driver, for the command routes. Everything else reads <see cref="View"/>.</summary>
    public MartaDevice Device { get; }

    public event Action? Changed;

    public MartaView View => _view.Current;

    /// <summary>/readyz: ready while the map is read (ALARM too: the plant answers, and its alarms are alarms).</summary>
    public ComponentState Readiness()
    {
        var view = View;
        return view.Live
            ? new ComponentState(true, view.State, view.Problem)
            : new ComponentState(false, view.State, view.Problem ?? $"connecting to the {_link.Description}");
    }

    public async Task PublishAsync(CancellationToken ct)
    {
        var view = View;
        var snapshot = Device.Snapshot;
        // Values that could not be sent before the link went down are no longer current: only the state goes out.
        if (!snapshot.Live && _unsent is not null) _unsent = _unsent with { Values = new Dictionary<string, MartaValue>() };
        if (Merge(_unsent, _filter.Next(snapshot)) is { } publication)
        {
            _unsent = publication;
            await _publisher.PublishAsync(MartaTopics.Status, MartaTopics.StatusPayload(publication).ToJsonString(Json.Options), cancellationToken: ct);
            _unsent = null;
        }
        if (MartaTopics.AlarmsPayload(view) is { } alarms) await _publisher.PublishAsync(MartaTopics.Alarms, alarms, cancellationToken: ct);
    }

    /// <summary>What could not be sent, then what is new (newer values win).</summary>
    private static MartaPublication? Merge(MartaPublication? unsent, MartaPublication? next)
    {
        if (unsent is null || next is null) return unsent ?? next;
        var values = new Dictionary<string, MartaValue>(unsent.Values, StringComparer.Ordinal);
        foreach (var (name, value) in next.Values) values[name] = value;
        return new MartaPublication(values, next.State ?? unsent.State, unsent.Full || next.Full);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _log.LogInformation("MARTA: {Link}", _link.Description);
        var run = Device.RunAsync(stoppingToken);
        await _loop.RunAsync(PublishAsync, stoppingToken);
        await run;
    }

    /// <summary>The device ends here; its link (and simulator) belongs to the container, which disposes it once, after this service.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Device.DisposeAsync();
    }
}
