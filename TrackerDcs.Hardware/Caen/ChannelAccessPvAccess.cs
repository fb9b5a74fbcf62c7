using System.Collections.Concurrent;
using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// The CAEN driver's PV access over the Channel Access client: one channel per PV, all on the IOC's shared
/// circuit. The crate counts as connected when its PVs are: once a monitored PV answers, the others get
/// <see cref="FoundWithin"/> to answer too, and those that do not are declared <see cref="Missing"/> rather than
/// keeping the whole crate DISCONNECTED (issue 16: one absent SVMax left every channel without its settings).
/// PVs only ever written (ClearAlarm) are connected on their first put and do not count.
/// </summary>
public sealed class ChannelAccessPvAccess(CaClient client, Func<string, double> deadBand, TimeProvider? time = null)
    : ICaenPvAccess, IAsyncDisposable
{
    /// <summary>How long a PV may take to answer once its IOC does; a search answered at all comes within milliseconds.</summary>
    public static readonly TimeSpan FoundWithin = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
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
        _monitored.TryAdd(pv, 0);
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
        lock (_gate)
        {
            // A set, not a counter: Disconnected then Closed must not count a channel twice.
            if (state == CaConnectionState.Connected) _connectedMonitored.Add(channel.Name);
            else _connectedMonitored.Remove(channel.Name);
            if (_connectedMonitored.Count == 0)
            {
                // The IOC is gone. What was missing stays so: it is named again only if it changes.
                StopGrace();
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
        if (missingChanged) MissingChanged?.Invoke();
        if (link is { } up) ConnectionChanged?.Invoke(up);
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
        lock (_gate) StopGrace();
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
