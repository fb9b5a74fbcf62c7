namespace TrackerDcs.Web.Devices;

/// <summary>
/// A device service's current view: built from one snapshot of the driver when something changed since it was
/// last built (<see cref="Invalidate"/>), else the same immutable view again, so readers between two changes
/// (panel, alarms, interlocks, the publish loop) share one snapshot instead of taking the driver's lock each.
/// </summary>
public sealed class ViewCache<TView>(Func<TView> build) where TView : class
{
    private long _version;
    private Cached? _cached;

    private sealed record Cached(long Version, TView View);

    /// <summary>The device changed: the next reader builds a new view.</summary>
    public void Invalidate() => Interlocked.Increment(ref _version);

    public TView Current
    {
        get
        {
            // The version is read before the snapshot: a change in between makes the next reader build again.
            var version = Interlocked.Read(ref _version);
            if (Volatile.Read(ref _cached) is { } cached && cached.Version == version) return cached.View;
            var view = build();
            Volatile.Write(ref _cached, new Cached(version, view));
            return view;
        }
    }
}
