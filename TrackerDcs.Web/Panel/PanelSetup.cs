using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using MudBlazor.Services;
using TrackerDcs.Web.Panel.Components;
using TrackerDcs.Web.Panel.Services;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Panel;

/// <summary>
/// The control panel: Blazor Server (interactive server render mode) with MudBlazor, behind its own cookie
/// login. The API keeps HTTP Basic: a policy scheme sends every request that carries an Authorization header,
/// or asks for /api or /mqtt, to Basic, and the rest (pages, the Blazor hub) to the panel's cookie; an /api read
/// with the panel's cookie is the panel's too (<see cref="SelectScheme"/>).
/// </summary>
public static class PanelSetup
{
    public const string CookieScheme = "PanelCookie";
    public const string SelectorScheme = "TrackerDcs";
    public const string LoginPath = "/login";
    public const string CookieName = "TrackerDcs.Panel";

    public static void AddPanel(this WebApplicationBuilder builder)
    {
        // The build output carries a manifest of the packages' static assets (MudBlazor's CSS and JS); a published
        // build has them in wwwroot. Either way they are served, in any environment.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.AddScoped<PanelSession>();
        services.AddScoped<PanelCommands>();
        services.AddScoped<RunDraft>();
        services.AddScoped<PanelClock>();
        services.AddSingleton<RunFeed>();
        services.AddSingleton<ProcedureFeed>();
        services.AddSingleton<PanelFeed>(sp => ActivatorUtilities.CreateInstance<PanelFeed>(sp));
        services.AddHostedService(sp => sp.GetRequiredService<PanelFeed>());
        // The panel is served over HTTPS only (the HTTP port redirects): every cookie it sets is Secure.
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.Always);

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SelectorScheme;
                o.DefaultChallengeScheme = SelectorScheme;
            })
            .AddPolicyScheme(SelectorScheme, "API: Basic; panel: cookie", o => o.ForwardDefaultSelector = SelectScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.LoginPath = LoginPath;
                o.LogoutPath = "/logout";
                o.AccessDeniedPath = "/denied";
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                // The panel's JSON (the trend charts' fetches) answers 401/403: a redirect to the login form means nothing to a script.
                o.Events.OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden);
                // The store is the truth on every request: a removed account is logged out, a changed role applies.
                o.Events.OnValidatePrincipal = context =>
                {
                    var name = context.Principal?.Identity?.Name;
                    var users = context.HttpContext.RequestServices.GetRequiredService<UserStore>();
                    if (name is null || users.Find(name) is not { } found || !found.Account.Role.MayView())
                    {
                        context.RejectPrincipal();
                        return context.HttpContext.SignOutAsync(CookieScheme);
                    }
                    if (!context.Principal!.IsInRole(found.Account.Role.ToString()))
                    {
                        context.ReplacePrincipal(Principal(found.Account));
                        context.ShouldRenew = true;
                    }
                    return Task.CompletedTask;
                };
            });
    }

    public const string ApiPrefix = "/panel-api";

    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments(ApiPrefix)) context.Response.StatusCode = status;
        else context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Basic for a request with an Authorization header, for /mqtt, and for /api unless it is a GET or HEAD that carries
    /// the panel's cookie: the panel's links (a run's result files, issue 20) open with its login, with the same roles
    /// (the endpoints' policies). Only reads: a cookie goes with any request the browser makes, so an /api POST (the
    /// simulators' fault injection) keeps needing Basic, which a cross-site page cannot send; the cookie is SameSite
    /// Strict besides.
    /// </summary>
    internal static string SelectScheme(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Authorization.Count > 0) return BasicAuthenticationHandler.SchemeName;
        var path = request.Path;
        if (path.StartsWithSegments("/mqtt")) return BasicAuthenticationHandler.SchemeName;
        if (!path.StartsWithSegments("/api")) return CookieScheme;
        var read = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        return read && request.Cookies.ContainsKey(CookieName) ? CookieScheme : BasicAuthenticationHandler.SchemeName;
    }

    public static void UsePanel(this WebApplication app)
    {
        // Listening before the run controller publishes its first status, which the Runs page shows.
        app.Services.GetRequiredService<RunFeed>();
        app.Services.GetRequiredService<ProcedureFeed>();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        // The login form posts here (antiforgery is checked for form-bound endpoints); failures are throttled
        // by the Authenticator per name and address, so repeated guesses are refused for a growing while.
        app.MapPost("/account/login", async (HttpContext context, [FromForm] LoginForm form, Authenticator authenticator) =>
        {
            var returnUrl = LocalUrl(form.ReturnUrl);
            var account = string.IsNullOrEmpty(form.Name) || string.IsNullOrEmpty(form.Password)
                ? null
                : await authenticator.AuthenticateAsync(form.Name, form.Password, context.Connection.RemoteIpAddress, context.RequestAborted);
            if (account is null || !account.Role.MayView())
                return Results.LocalRedirect($"{LoginPath}?failed=1&returnUrl={Uri.EscapeDataString(returnUrl)}");
            await context.SignInAsync(CookieScheme, Principal(account));
            return Results.LocalRedirect(returnUrl);
        });
        app.MapPost("/account/logout", async (HttpContext context, [FromForm] LogoutForm _) =>
        {
            await context.SignOutAsync(CookieScheme);
            return Results.LocalRedirect($"{LoginPath}?loggedOut=1");
        });
    }

    private static ClaimsPrincipal Principal(UserAccount account) => new(new ClaimsIdentity([
        new Claim(ClaimTypes.Name, account.Name),
        new Claim(ClaimTypes.Role, account.Role.ToString()),
    ], CookieScheme));

    /// <summary>
    /// Only a path of this site: an open redirect after login would hand the session to a phishing page. A control
    /// character (a tab, a newline) is no part of a path: browsers strip them, so "/\t/evil.example" would leave
    /// the site, and LocalRedirect refuses it with an exception.
    /// </summary>
    internal static string LocalUrl(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//") && !url.StartsWith("/\\") && !url.Any(char.IsControl) ? url : "/";

    private static bool MayView(this Role role) => role is Role.Viewer or Role.Operator or Role.Admin;

    public sealed class LoginForm
    {
        public string? Name { get; set; }
        public string? Password { get; set; }
        public string? ReturnUrl { get; set; }
    }

    public sealed class LogoutForm
    {
        public string? Confirm { get; set; }
    }
}
