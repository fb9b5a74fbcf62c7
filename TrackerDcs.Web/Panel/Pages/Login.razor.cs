using Microsoft.AspNetCore.Components;

namespace TrackerDcs.Web.Panel.Pages;

public partial class Login
{
    [SupplyParameterFromQuery] public string? ReturnUrl { get; set; }
    [SupplyParameterFromQuery] public int? Failed { get; set; }
    [SupplyParameterFromQuery] public int? LoggedOut { get; set; }
}
