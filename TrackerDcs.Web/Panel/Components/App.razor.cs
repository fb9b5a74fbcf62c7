using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.Routing;

namespace TrackerDcs.Web.Panel.Components;

public partial class App
{
    /// <summary>
    /// Interactive server for every page but the login and logout forms, which are plain HTML forms
    /// (static rendering, [ExcludeFromInteractiveRouting]). Not prerendered: a page's controls appear once
    /// its circuit is live, so a click is never lost on a page that cannot answer yet.
    /// </summary>
    private static readonly IComponentRenderMode Interactive = new InteractiveServerRenderMode(prerender: false);

    [CascadingParameter] private HttpContext HttpContext { get; set; } = default!;

    private IComponentRenderMode? PageRenderMode => HttpContext.AcceptsInteractiveRouting() ? Interactive : null;
}
