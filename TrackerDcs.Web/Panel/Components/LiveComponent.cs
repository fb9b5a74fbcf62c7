using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// A component that follows the stand live: subscribes to the <see cref="PanelFeed"/> topics it shows,
/// reloads its view model and re-renders on the renderer's thread through InvokeAsync, and unsubscribes when disposed.
/// </summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    private IDisposable? _subscription;

    [Inject] protected PanelFeed Feed { get; set; } = default!;

    /// <summary>The topics whose changes re-render this component.</summary>
    protected abstract PanelTopic Topics { get; }

    /// <summary>Reads the current state into the component's fields; called at start and after every change.</summary>
    protected abstract void Load();

    /// <summary>After a change of <paramref name="changed"/>: reloads everything unless a component reads only what changed.</summary>
    protected virtual void Reload(PanelTopic changed) => Load();

    protected override void OnInitialized()
    {
        Load();
        _subscription = Feed.Subscribe(Topics, changed => InvokeAsync(() =>
        {
            Reload(changed);
            StateHasChanged();
        }));
    }

    public virtual void Dispose()
    {
        _subscription?.Dispose();
        GC.SuppressFinalize(this);
    }
}
