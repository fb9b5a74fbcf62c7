using System.Collections.Concurrent;
using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// The CAEN driver's PV access over the Channel Access client: one channel per PV, all on the IOC's
/// shared circuit. The crate counts as connected when every PV the driver monitors is: a configured channel
/// whose PVs do not exist keeps the crate DISCONNECTED rather than half-driven. PVs only ever written
/// (Pw, ClearAlarm, the settings) are connected on their first put and do not count.
/// </summary>
public sealed class ChannelAccessPvAccess(CaClient client, Func<string, double> deadBand) : ICaenPvAccess, IAsyncDisposable
{
    private static readonly TimeSpan FirstConnection = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, CaChannel> _channels = new();
    private readonly ConcurrentDictionary<string, byte> _monitored = new();
    private readonly HashSet<string> _connectedMonitored = [];
    private readonly Lock _gate = new();
    private bool _connected;

    public bool IsConnected { get { lock (_gate) return _connected; } }

    public event Action<bool>? ConnectionChanged;

    public async Task PutAsync(string pv, object value, CancellationToken ct)
    {
        var channel = Channel(pv);
        if (channel.State == CaConnectionState.NeverConnected)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(FirstConnection);
            try
            {
                await channel.WaitConnectedAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new InvalidOperationException($"{pv} not found within {FirstConnection.TotalSeconds:0} s");
            }
        }
        if (channel.State != CaConnectionState.Connected) throw new InvalidOperationException($"{pv} is not connected");
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
        bool changed, now;
        lock (_gate)
        {
            // A set, not a counter: Disconnected then Closed must not count a channel twice.
            if (state == CaConnectionState.Connected) _connectedMonitored.Add(channel.Name);
            else _connectedMonitored.Remove(channel.Name);
            now = _connectedMonitored.Count == _monitored.Count && _monitored.Count > 0;
            changed = now != _connected;
            _connected = now;
        }
        if (changed) ConnectionChanged?.Invoke(now);
    }

    public async ValueTask DisposeAsync()
    {
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
