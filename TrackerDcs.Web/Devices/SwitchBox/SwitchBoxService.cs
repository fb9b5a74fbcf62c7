using System.Text;
using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Devices.SwitchBox;

/// <summary>
/// Hosts the switch box and keeps its <see cref="View"/>. In serial mode it runs the driver and publishes SB/status
/// (retained) on every change and at least every poll period. In wifi mode the box publishes its status itself:
/// the service reads it from the broker (what the ACL let through from the box's account) and runs it through
/// the same state machine, so the panel, the interlocks and the pass-through's rule check see the box alike in
/// both modes. Disabled (SwitchBox:Enabled false), the view says so and nothing runs.
/// </summary>
public sealed class SwitchBoxService : BackgroundService, IDeviceView<SwitchBoxView>
{
    private readonly SwitchBoxOptions _options;
    private readonly SwitchBoxLink? _link;
    private readonly IMqttPublisher _publisher;
    private readonly ILogger<SwitchBoxService> _log;
    private readonly PublishLoop _loop;
    private readonly ViewCache<SwitchBoxView> _view;
    private readonly Lock _gate = new();
    private SwitchBoxSnapshot _wifi;

    /// <param name="link">Registered in serial mode only.</param>
    public SwitchBoxService(SwitchBoxOptions options, IMqttPublisher publisher, TimeProvider time, ILoggerFactory loggers, SwitchBoxLink? link = null)
    {
        _options = options;
        _publisher = publisher;
        _log = loggers.CreateLogger<SwitchBoxService>();
        _loop = new PublishLoop("the switch box status", options.PollPeriod, time, _log);
        _wifi = new SwitchBoxSnapshot(SwitchBoxState.Disconnected, null, null, options.MaxChannels);
        if (options is { Enabled: true, Mode: SwitchBoxMode.Serial } && link is not null)
        {
            _link = link;
            Device = new SwitchBoxDevice(_link.Settings, time, loggers.CreateLogger<SwitchBoxDevice>(), _link.NewTransport);
            Device.SnapshotChanged += _ => OnChanged();
        }
        _view = new ViewCache<SwitchBoxView>(Build);
    }

    /// <summary>The driver in serial mode, for the command routes; null otherwise. Everything else reads <see cref="View"/>.</summary>
    public SwitchBoxDevice? Device { get; }

    /// <summary>The simulated box, when serial mode runs one (Port "simulated").</summary>
    public SwitchBoxSimulator? Simulator => _link?.Simulator;

    /// <summary>Raised (on any thread) after the box's state or status changed.</summary>
    public event Action? Changed;

    /// <summary>The box now: built from one snapshot when it changed since the last one asked.</summary>
    public SwitchBoxView View => _view.Current;

    private SwitchBoxView Build()
    {
        if (!_options.Enabled) return SwitchBoxView.Disabled;
        if (Device is not null) return SwitchBoxView.From(Device.Snapshot, SwitchBoxMode.Serial);
        lock (_gate) return SwitchBoxView.From(_wifi, SwitchBoxMode.Wifi);
    }

    private void OnChanged()
    {
        _view.Invalidate();
        _loop.Wake();
        Changed?.Invoke();
    }

    /// <summary>/readyz: ready once the box's status has been read (ERROR included: the box answers).</summary>
    public ComponentState Readiness()
    {
        var view = View;
        if (view.State == SwitchBoxView.Disconnected)
            return new ComponentState(false, view.State, view.LastError ?? (view.Mode == SwitchBoxMode.Wifi ? "no status from the box on the broker yet" : null));
        if (view.State == SwitchBoxView.Connected) return new ComponentState(false, view.State, "reading the first status");
        return new ComponentState(true, view.State, view.LastError ?? view.Status?.ToString());
    }

    /// <summary>Wifi mode: the box's own status, from the broker, on the topic its declaration names.</summary>
    public void Attach(BrokerTap tap, string statusTopic) => tap.Subscribe((topic, payload) =>
    {
        if (topic == statusTopic) ObserveWifiStatus(Encoding.UTF8.GetString(payload));
    });

    internal void ObserveWifiStatus(string payload)
    {
        if (!SwitchBoxProtocol.TryParseStatus(payload, out var status, out var error))
        {
            _log.LogWarning("Switch box (wifi): ignoring {Error}", error);
            return;
        }
        lock (_gate)
        {
            var state = _wifi.State == SwitchBoxState.Disconnected
                ? SwitchBoxStateMachine.Next(_wifi.State, SwitchBoxEvent.LinkOpened)
                : _wifi.State;
            var broken = SwitchBoxRules.BrokenBy(status, _options.MaxChannels);
            var next = _wifi with
            {
                State = SwitchBoxStateMachine.Next(state, SwitchBoxStateMachine.EventFor(status, _options.MaxChannels)),
                Status = status,
                LastError = broken is var (rule, why) ? $"{why}, against the rule {rule}" : null,
            };
            if (next == _wifi) return;
            _wifi = next;
        }
        OnChanged();
    }

    public Task PublishAsync(CancellationToken ct) =>
        _publisher.PublishAsync(SwitchBoxTopics.Status, SwitchBoxTopics.StatusPayload(View).ToJsonString(Json.Options), retain: true, cancellationToken: ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wifi mode: the box publishes SB/status itself; disabled: there is nothing to run.
        if (Device is null) return;
        _log.LogInformation("Switch box: {Link}", _link!.Description);
        var run = Device.RunAsync(stoppingToken);
        await _loop.RunAsync(PublishAsync, stoppingToken);
        await run;
    }

    /// <summary>The device ends here; its link (and simulator) belongs to the container, which disposes it once, after this service.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (Device is not null) await Device.DisposeAsync();
    }
}
