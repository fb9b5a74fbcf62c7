using TrackerDcs.Web.Devices;

namespace TrackerDcs.Tests.Support;

/// <summary>A device for in-process tests: the view the test sets, and Changed raised when it does, as a device service would.</summary>
public sealed class StandInView<TView>(TView view) : IDeviceView<TView> where TView : class
{
    private TView _view = view;

    public TView View => Volatile.Read(ref _view);

    public event Action? Changed;

    public void Set(TView view)
    {
        Volatile.Write(ref _view, view);
        Changed?.Invoke();
    }
}
