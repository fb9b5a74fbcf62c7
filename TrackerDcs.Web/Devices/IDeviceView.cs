namespace TrackerDcs.Web.Devices;

/// <summary>
/// What the rest of the process (panel, alarms, interlocks, runs) needs of a device: its current view and when it
/// changes. The device services implement it; a test stands in for a device with a view of its choosing.
/// </summary>
public interface IDeviceView<out TView>
{
    TView View { get; }

    /// <summary>Raised (on any thread) after the device changed; read <see cref="View"/> again.</summary>
    event Action? Changed;
}
