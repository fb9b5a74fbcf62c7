using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.Panel.Services;

namespace TrackerDcs.Web.Panel.Components;

/// <summary>One line over every page while a device, the broker or a store is not ready (the /readyz report).</summary>
public partial class ReadinessBanner
{
    [Inject] private Readiness Readiness { get; set; } = default!;

    public IReadOnlyList<ReadinessProblem> Problems { get; private set; } = [];

    protected override PanelTopic Topics => PanelTopic.Readiness;

    protected override void Load() => Problems = ReadinessProblem.From(Readiness);
}
