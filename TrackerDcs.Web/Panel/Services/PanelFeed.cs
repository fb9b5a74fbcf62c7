using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.SwitchBox;
using TrackerDcs.Web.Devices.Marta;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.Site;

namespace TrackerDcs.Web.Panel.Services;

/// <summary>What changed: the panel's pages subscribe to the topics they show.</summary>
[Flags]
public enum PanelTopic { None = 0, Caen = 1, Julabo = 2, Audit = 4, Readiness = 8, Alarms = 16, Runs = 32, Sensors = 64, Marta = 128, SwitchBox = 256, Procedures = 512, Site = 1024, All = Caen | Julabo | Audit | Readiness | Alarms | Runs | Sensors | Marta | SwitchBox | Procedures | Site }

/// <summary>
/// The panel's one subscription service: the device services and the audit log raise events on
/// their own threads; this turns them into one coalesced notification per topic, at most every
/// <see cref="Coalesce"/>, so a ramping crate does not re-render every open panel for every monitor update.
/// A component subscribes, marshals back with <c>InvokeAsync</c>, and disposes its subscription.
/// Readiness has no event (each part answers when asked, as /readyz does): it is sampled once a second.
/// </summary>
public sealed class PanelFeed : BackgroundService
{
    public static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(100);
    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];
    private readonly Readiness _readiness;
    private readonly ILogger<PanelFeed> _log;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string Kind, string Name), DateTimeOffset> _notReadySince = [];
    private PanelTopic _pending;
    private bool _scheduled;
    private string? _lastReadiness;

    public PanelFeed(Readiness readiness, AuditLog audit, ILogger<PanelFeed> log, IDeviceView<CaenView>? caen = null, IDeviceView<JulaboView>? julabo = null,
        AlarmManager? alarms = null, IDeviceView<SensorsView>? sensors = null, IDeviceView<MartaView>? marta = null,
        IDeviceView<SwitchBoxView>? switchBox = null, TimeProvider? time = null, IDeviceView<SiteView>? site = null)
    {
        _readiness = readiness;
        _log = log;
        _time = time ?? TimeProvider.System;
        audit.Appended += _ => Raise(PanelTopic.Audit);
        if (julabo is not null) julabo.Changed += () => Raise(PanelTopic.Julabo);
        if (alarms is not null) alarms.Changed += () => Raise(PanelTopic.Alarms);
        if (sensors is not null) sensors.Changed += () => Raise(PanelTopic.Sensors);
        if (switchBox is not null) switchBox.Changed += () => Raise(PanelTopic.SwitchBox);
        if (marta is not null) marta.Changed += () => Raise(PanelTopic.Marta);
        // The site instance's stands (Site:Mode=Site): their messages, and a tick a second for the heartbeats' ages.
        if (site is not null) site.Changed += () => Raise(PanelTopic.Site);
        // The service keeps its identity across a reload of channels.yml and raises Changed for it too.
        if (caen is not null) caen.Changed += () => Raise(PanelTopic.Caen);
    }

    /// <summary>Calls <paramref name="onChange"/> (on a pool thread) after any of <paramref name="topics"/> changed; dispose to stop.</summary>
    public IDisposable Subscribe(PanelTopic topics, Func<PanelTopic, Task> onChange)
    {
        var subscription = new Subscription(this, topics, onChange);
        lock (_gate) _subscriptions.Add(subscription);
        return subscription;
    }

    public int SubscriberCount { get { lock (_gate) return _subscriptions.Count; } }

    /// <summary>Marks topics changed; subscribers hear of it once, <see cref="Coalesce"/> later.</summary>
    public void Raise(PanelTopic topics)
    {
        lock (_gate)
        {
            _pending |= topics;
            if (_scheduled) return;
            _scheduled = true;
        }
        _ = Task.Delay(Coalesce).ContinueWith(_ => NotifyAsync(), TaskScheduler.Default);
    }

    private async Task NotifyAsync()
    {
        PanelTopic topics;
        Subscription[] targets;
        lock (_gate)
        {
            topics = _pending;
            _pending = PanelTopic.None;
            _scheduled = false;
            targets = [.. _subscriptions.Where(s => (s.Topics & topics) != 0)];
        }
        foreach (var target in targets)
        {
            try
            {
                await target.OnChange(topics);
            }
            catch (Exception e)
            {
                // A closed circuit must not stop the others' updates.
                _log.LogDebug(e, "A panel subscriber failed to update");
            }
        }
    }

    /// <summary>
    /// The parts not ready now, each with the time the panel first found it not ready: the pages' values from it are as
    /// of then. Found by the once-a-second sample, or by a page that asks first.
    /// </summary>
    public IReadOnlyList<ReadinessProblem> NotReady() => Track(ReadinessProblem.From(_readiness));

    private IReadOnlyList<ReadinessProblem> Track(IReadOnlyList<ReadinessProblem> problems)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var current = problems.Select(p => (p.Kind, p.Name)).ToHashSet();
            foreach (var back in _notReadySince.Keys.Where(k => !current.Contains(k)).ToList()) _notReadySince.Remove(back);
            // A part that changes state while not ready (DISCONNECTED, then CONNECTING) keeps its first time.
            return [.. problems.Select(p => p with { Since = _notReadySince.TryGetValue((p.Kind, p.Name), out var since) ? since : _notReadySince[(p.Kind, p.Name)] = now })];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var check = _readiness.Check().Report;
                Track(ReadinessProblem.From(check));
                var report = check.ToJsonString();
                if (report != _lastReadiness)
                {
                    _lastReadiness = report;
                    Raise(PanelTopic.Readiness);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private sealed class Subscription(PanelFeed feed, PanelTopic topics, Func<PanelTopic, Task> onChange) : IDisposable
    {
        public PanelTopic Topics { get; } = topics;
        public Func<PanelTopic, Task> OnChange { get; } = onChange;

        public void Dispose()
        {
            lock (feed._gate) feed._subscriptions.Remove(this);
        }
    }
}
