using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// The CAEN driver's PV access over the Channel Access client: one channel per PV, all on the IOC's shared
/// circuit. The crate counts as connected when its PVs are: once a monitored PV answers, the others get
/// <see cref="FoundWithin"/> to answer too, and those that do not are declared <see cref="Missing"/> rather than
/// keeping the whole crate DISCONNECTED (issue 16: one absent SVMax left every channel without its settings).
/// PVs only ever written (ClearAlarm) are connected on their first put and do not count.
/// While no monitored PV answers (an IOC absent at start, or gone), a warning names what was searched for and where,
/// <see cref="FoundWithin"/> after the searches began and then every <see cref="AbsentWarningEvery"/>; one line says
/// when it answers again (issue 16: nothing was logged until the disconnected alarm, 30 s later).
/// </summary>
public sealed class ChannelAccessPvAccess(CaClient client, Func<string, double> deadBand, TimeProvider? time = null, ILogger? logger = null)
    : ICaenPvAccess, IAsyncDisposable
{
    /// <summary>How long a PV may take to answer once its IOC does; a search answered at all comes within milliseconds.</summary>
    public static readonly TimeSpan FoundWithin = TimeSpan.FromSeconds(5);

    /// <summary>How often the warning that the IOC does not answer is repeated while it stays away: a night's log gets a few hundred lines, not one per search.</summary>
    public static readonly TimeSpan AbsentWarningEvery = TimeSpan.FromMinutes(3);

    private const int NamedInWarning = 3;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    /// <summary>The monitored PVs in the order they were first searched for, to name the first few.</summary>
    private readonly List<string> _searchOrder = [];
    private ITimer? _absence;
    /// <summary>When the IOC was first reported absent (a warning was logged), until it answers.</summary>
    private long? _absentSince;
    private readonly ConcurrentDictionary<string, CaChannel> _channels = new();
    private readonly ConcurrentDictionary<string, byte> _monitored = new();
    private readonly HashSet<string> _connectedMonitored = [];
    private readonly HashSet<string> _missing = [];
    private readonly Lock _gate = new();
    private ITimer? _grace;
    private bool _connected;

    public bool IsConnected { get { lock (_gate) return _connected; } }

    public IReadOnlyCollection<string> Missing { get { lock (_gate) return [.. _missing]; } }

    public event Action<bool>? ConnectionChanged;

    public event Action? MissingChanged;

    public async Task PutAsync(string pv, object value, CancellationToken ct)
    {
        // The messages leave the PV's name out: the driver puts it in front of every failure.
        var channel = Channel(pv);
        if (channel.State == CaConnectionState.NeverConnected)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(FoundWithin);
            try
            {
                await channel.WaitConnectedAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new InvalidOperationException($"not found within {FoundWithin.TotalSeconds:0} s");
            }
        }
        if (channel.State != CaConnectionState.Connected) throw new InvalidOperationException("not connected");
        await channel.PutAsync(value, ct);
    }

    public IDisposable Subscribe(string pv, Action<object> onValue)
    {
        if (_monitored.TryAdd(pv, 0))
            lock (_gate)
            {
                _searchOrder.Add(pv);
                if (_connectedMonitored.Count == 0) WatchAbsence();
            }
        var subscribing = Channel(pv).SubscribeAsync(update => onValue(update.Value), deadband: deadBand(pv));
        return new Subscription(subscribing);
    }

    private CaChannel Channel(string pv)
    {
        if (_channels.TryGetValue(pv, out var existing)) return existing;
        // Under the lock: GetOrAdd may run its factory twice, and a second CA channel would leak.
        lock (_gate)
            // The handler goes in with the channel, so not even its first connection can be missed.
            return _channels.GetOrAdd(pv, name => client.CreateChannel(name, OnStateChanged));
    }

    private void OnStateChanged(CaChannel channel, CaConnectionState state)
    {
        if (!_monitored.ContainsKey(channel.Name)) return;
        bool? link = null;
        var missingChanged = false;
        TimeSpan? answeredAfter = null;
        lock (_gate)
        {
            // A set, not a counter: Disconnected then Closed must not count a channel twice.
            if (state == CaConnectionState.Connected && _connectedMonitored.Add(channel.Name) && _connectedMonitored.Count == 1)
                answeredAfter = IocAnswers();
            else if (state != CaConnectionState.Connected) _connectedMonitored.Remove(channel.Name);
            if (_connectedMonitored.Count == 0)
            {
                // The IOC is gone. What was missing stays so: it is named again only if it changes.
                StopGrace();
                WatchAbsence();
                if (_connected) link = _connected = false;
            }
            else if (_connectedMonitored.Count == _monitored.Count)
            {
                StopGrace();
                missingChanged = _missing.Count > 0;
                _missing.Clear();
                if (!_connected) link = _connected = true;
            }
            else
            {
                if (state == CaConnectionState.Connected) missingChanged = _missing.Remove(channel.Name);
                // Some answer, some not (yet): the others get their time, then are declared missing.
                _grace ??= _time.CreateTimer(_ => GraceOver(), null, FoundWithin, Timeout.InfiniteTimeSpan);
            }
        }
        if (answeredAfter is { } after)
            _logger.LogInformation("The crate's IOC answers: {Pv} connected after {Seconds:0} s without an answer", channel.Name, after.TotalSeconds);
        if (missingChanged) MissingChanged?.Invoke();
        if (link is { } up) ConnectionChanged?.Invoke(up);
    }

    /// <summary>No monitored PV answers: the absence check runs <see cref="FoundWithin"/> from now, then every <see cref="AbsentWarningEvery"/>. Under the lock.</summary>
    private void WatchAbsence() => _absence ??= _time.CreateTimer(_ => WarnOfAbsence(), null, FoundWithin, AbsentWarningEvery);

    /// <summary>The first PV answered: the watch stops; how long the IOC was reported absent, if it was. Under the lock.</summary>
    private TimeSpan? IocAnswers()
    {
        _absence?.Dispose();
        _absence = null;
        var since = _absentSince;
        _absentSince = null;
        return since is { } start ? _time.GetElapsedTime(start) + FoundWithin : null;
    }

    private void WarnOfAbsence()
    {
        string[] first;
        int count;
        TimeSpan? absentFor;
        lock (_gate)
        {
            if (_absence is null || _connectedMonitored.Count > 0) return;
            absentFor = _absentSince is { } start ? _time.GetElapsedTime(start) + FoundWithin : null;
            _absentSince ??= _time.GetTimestamp();
            first = [.. _searchOrder.Take(NamedInWarning)];
            count = _searchOrder.Count;
        }
        var options = client.Options;
        var where = string.Join(", ", options.SearchDestinations().Select(e => e.ToString()).Concat(options.NameServerEndPoints().Select(e => $"{e} (name server)")));
        var searched = $"{string.Join(", ", first)}{(count > first.Length ? $" and {count - first.Length} more" : "")}";
        var settings = $"EPICS_CA_ADDR_LIST '{options.AddressList}', EPICS_CA_AUTO_ADDR_LIST {(options.AutoAddressList ? "YES" : "NO")}, EPICS_CA_NAME_SERVERS '{options.NameServers}', EPICS_CA_SERVER_PORT {options.ServerPort}";
        if (absentFor is { } lasting)
            _logger.LogWarning("The crate's IOC still does not answer, {Minutes:0} min on: searches for {Searched} sent to {Where} ({Settings}) get no reply",
                lasting.TotalMinutes, searched, where.Length > 0 ? where : "nowhere", settings);
        else
            _logger.LogWarning("The crate's IOC does not answer: no reply within {Seconds:0} s to the searches for {Searched} sent to {Where} ({Settings}). "
                + "Is the IOC running, and does the address list reach it?", FoundWithin.TotalSeconds, searched, where.Length > 0 ? where : "nowhere", settings);
    }

    /// <summary>The IOC answers, and the PVs that have not by now are missing; the crate is connected without them.</summary>
    private void GraceOver()
    {
        bool missingChanged, connected = false;
        lock (_gate)
        {
            StopGrace();
            if (_connectedMonitored.Count == 0) return;
            var missing = _monitored.Keys.Where(pv => !_connectedMonitored.Contains(pv)).ToHashSet();
            missingChanged = !missing.SetEquals(_missing);
            _missing.Clear();
            _missing.UnionWith(missing);
            if (!_connected) connected = _connected = true;
        }
        // Missing first: the driver knows what is absent before it writes the settings on connection.
        if (missingChanged) MissingChanged?.Invoke();
        if (connected) ConnectionChanged?.Invoke(true);
    }

    private void StopGrace()
    {
        _grace?.Dispose();
        _grace = null;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            StopGrace();
            _absence?.Dispose();
            _absence = null;
        }
        foreach (var channel in _channels.Values) await channel.DisposeAsync();
        _channels.Clear();
    }

    /// <summary>A monitor that may still be starting (the channel connects later): disposed when it exists.</summary>
    private sealed class Subscription(Task<CaSubscription> subscribing) : IDisposable
    {
        public void Dispose() => subscribing.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) t.Result.Dispose();
        }, TaskScheduler.Default);
    }
}
