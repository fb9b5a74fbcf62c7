using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Tests.Caen;

/// <summary>
/// TEST DOUBLE, hand-written: an <see cref="ICaenPvAccess"/> that reaches the simulator's ProcessVariables
/// in-process, with no Channel Access in between. It exists so the driver's logic can be tested before the
/// CA client lands; the product uses the CA client's adapter, and end-to-end tests should move to it.
/// <see cref="Disconnect"/> and <see cref="Reconnect"/> stand for an IOC stopped and restarted.
/// </summary>
internal sealed class InProcessPvAccess(SimulatedCaenCrate crate) : ICaenPvAccess
{
    private readonly List<(ProcessVariable Pv, Action<object> OnValue)> _subscriptions = [];

    public bool IsConnected { get; private set; } = true;
    public event Action<bool>? ConnectionChanged;

    // Every PV the tests ask for exists in-process; MissingPvTests covers the absent one over Channel Access.
    public IReadOnlyCollection<string> Missing => [];
    public event Action? MissingChanged { add { } remove { } }
    public List<(string Pv, object Value)> Puts { get; } = [];

    public Task PutAsync(string pv, object value, CancellationToken ct)
    {
        if (!IsConnected) throw new InvalidOperationException("the IOC is not reachable");
        var target = crate.Find(pv) ?? throw new InvalidOperationException($"no PV named {pv}");
        if (target.Put(value) is { } reason) throw new InvalidOperationException(reason);
        lock (Puts) Puts.Add((pv, value));
        return Task.CompletedTask;
    }

    public IDisposable Subscribe(string pv, Action<object> onValue)
    {
        // Like a CA channel to a name nobody serves, a subscription to an unknown PV simply never delivers.
        if (crate.Find(pv) is not { } target) return new Unsubscriber(() => { });
        void Handler(ProcessVariable p)
        {
            if (IsConnected) onValue(p.Value);
        }
        target.Changed += Handler;
        lock (_subscriptions) _subscriptions.Add((target, onValue));
        if (IsConnected) onValue(target.Value);
        return new Unsubscriber(() =>
        {
            target.Changed -= Handler;
            lock (_subscriptions) _subscriptions.RemoveAll(s => s.OnValue == onValue);
        });
    }

    public void Disconnect()
    {
        IsConnected = false;
        ConnectionChanged?.Invoke(false);
    }

    /// <summary>The link comes back: announced, then every monitor gets the current value, as CA does.</summary>
    public void Reconnect()
    {
        IsConnected = true;
        ConnectionChanged?.Invoke(true);
        List<(ProcessVariable Pv, Action<object> OnValue)> all;
        lock (_subscriptions) all = [.. _subscriptions];
        foreach (var (pv, onValue) in all) onValue(pv.Value);
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
