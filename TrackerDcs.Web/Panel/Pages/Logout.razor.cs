using Microsoft.AspNetCore.Components;

namespace TrackerDcs.Web.Panel.Pages;

public partial class Logout
{
    [CascadingParameter] private HttpContext? HttpContext { get; set; }
}
