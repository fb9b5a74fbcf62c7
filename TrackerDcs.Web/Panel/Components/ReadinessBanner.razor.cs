using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>
/// One line over every page while a device, the broker or a store is not ready (the /readyz report), each with the
/// time since when, so a value shown from it reads as "as of" that time.
/// </summary>
public partial class ReadinessBanner
{
    public IReadOnlyList<ReadinessProblem> Problems { get; private set; } = [];

    protected override PanelTopic Topics => PanelTopic.Readiness;

    protected override void Load() => Problems = Feed.NotReady();
}
