using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using TrackerDcs.Web.Runs;

namespace TrackerDcs.Web.Panel.Pages;

/// <summary>One run's document and the conditions of its time window (the same query as ph2acf/cmd/conditions).</summary>
public partial class RunDetail
{
    [Parameter] public long Run { get; set; }

    [Inject] private RunController Controller { get; set; } = default!;

    private RunDocument? Document { get; set; }
    private bool Loaded { get; set; }
    private JsonObject? Conditions { get; set; }
    private string? ConditionsError { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        Document = await Controller.Store.GetAsync(Run);
        var conditions = await Controller.ConditionsAsync(Run, CancellationToken.None);
        Conditions = conditions.Ok ? conditions.Data as JsonObject : null;
        ConditionsError = Conditions is null ? conditions.Error ?? "no conditions" : null;
        Loaded = true;
    }
}
