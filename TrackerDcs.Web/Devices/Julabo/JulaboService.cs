using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Devices.Julabo;

/// <summary>
/// Hosts the chiller driver, keeps its <see cref="View"/>, and publishes julabo/status (retained) on every
/// change and at least every poll period, so Grafana's writer gets a steady series even when the bath is stable.
/// </summary>
public sealed class JulaboService : BackgroundService, IDeviceView<JulaboView>
{
    private readonly JulaboLink _link;
    private readonly IMqttPublisher _publisher;
    private readonly ILogger<JulaboService> _log;
    private readonly PublishLoop _loop;
    private readonly ViewCache<JulaboView> _view;

    public JulaboService(JulaboOptions options, JulaboLink link, IMqttPublisher publisher, TimeProvider time, ILoggerFactory loggers)
    {
        _link = link;
        _publisher = publisher;
        _log = loggers.CreateLogger<JulaboService>();
        _loop = new PublishLoop("the chiller status", options.PollPeriod, time, _log);
        Device = new JulaboDevice(options, link.NewTransport, time, loggers.CreateLogger<JulaboDevice>());
        _view = new ViewCache<JulaboView>(() => JulaboView.From(Device.Snapshot()));
        Device.StatusChanged += _ =>
        {
            _view.Invalidate();
            _loop.Wake();
            Changed?.Invoke();
        };
    }

    /// <summary>The driver, for the command routes. Everything else reads <see cref="View"/>.</summary>
    public JulaboDevice Device { get; }

    /// <summary>Raised (on any thread) after the chiller's status changed.</summary>
    public event Action? Changed;

    /// <summary>The chiller now: built from one snapshot of the driver when its status changed since the last one asked.</summary>
    public JulaboView View => _view.Current;

    /// <summary>/readyz: ready once the unit's status has been read (OFF, ON, or ERROR: the chiller answers).</summary>
    public ComponentState Readiness()
    {
        var view = View;
        if (view.State == JulaboView.Disconnected) return new ComponentState(false, view.State, view.LastError);
        // The link is open but the warning limits are still being written, or the first status read.
        if (view.State == JulaboView.Connected) return new ComponentState(false, view.State, "writing the warning limits and reading the status");
        return new ComponentState(true, view.State, view.StatusText);
    }

    public Task PublishAsync(CancellationToken ct) =>
        _publisher.PublishAsync(JulaboTopics.Status, JulaboTopics.StatusPayload(View).ToJsonString(Json.Options), retain: true, cancellationToken: ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _log.LogInformation("Julabo: {Link}", _link.Description);
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
