namespace TrackerDcs.Hardware.Caen;

/// <summary>
/// What the CAEN driver needs from a Channel Access client, and nothing of the wire: the real adapter wraps
/// the CA client (TrackerDcs.Hardware.ChannelAccess); tests use an in-process double over the simulator.
/// </summary>
public interface ICaenPvAccess
{
    /// <summary>
    /// True while the IOC is reachable: some monitored PV is connected, and every other one either is or has been
    /// declared <see cref="Missing"/>. One absent PV must not take the whole crate down with it.
    /// </summary>
    bool IsConnected { get; }

    /// <summary>Monitored PVs the reachable IOC does not serve (not found, or lost while the others stayed).</summary>
    IReadOnlyCollection<string> Missing { get; }

    /// <summary>Raised when <see cref="Missing"/> changed: a PV was declared missing, or one came back.</summary>
    event Action? MissingChanged;

    /// <summary>Raised with the new value of <see cref="IsConnected"/> when the IOC goes away or comes back.</summary>
    event Action<bool>? ConnectionChanged;

    /// <summary>
    /// Writes <paramref name="value"/> (double, int, ushort enum index or string) to <paramref name="pv"/> and
    /// completes when the IOC has accepted it. Throws when it is refused or cannot be delivered; the
    /// exception's message becomes the reason the driver gives the operator.
    /// </summary>
    Task PutAsync(string pv, object value, CancellationToken ct);

    /// <summary>
    /// Monitors <paramref name="pv"/>: <paramref name="onValue"/> gets the current value as soon as it is known,
    /// then every posted change, on any thread. The subscription survives reconnections (each reconnection
    /// delivers the current value again) until disposed.
    /// </summary>
    IDisposable Subscribe(string pv, Action<object> onValue);
}
