using System.Text.RegularExpressions;

namespace TrackerDcs.Web.Hosting;

/// <summary>
/// What every HTTP answer of the process carries, whatever the endpoint:
/// the HTTP port only redirects to HTTPS, before anything reads the request (an Authorization header sent in clear
/// there is never checked nor logged: the credentials are already exposed, they must not also be tried);
/// HSTS (RFC 6797) on HTTPS (Endpoints:Hsts), so a browser that has seen the stand once never asks over http:// again;
/// X-Content-Type-Options: nosniff, so a result file or a JSON answer is never run as a script;
/// a bad request (a query parameter that does not parse, a missing form field) answers 400 with a JSON body naming
/// it, instead of an empty 400.
/// </summary>
public static partial class HttpHardening
{
    /// <summary>The parameter in ASP.NET Core's binding messages: Failed to bind parameter "int? limit" from "abc".</summary>
    [GeneratedRegex("parameter \"[^\"]* (?<name>[^\" ]+)\"")]
    private static partial Regex BoundParameter();

    public static void AddHttpHardening(this WebApplicationBuilder builder)
    {
        // A year (RFC 6797 §6.1.1). Loopback names stay excluded (ASP.NET Core's default): HSTS there would bind
        // every localhost service of a developer's browser, and loopback crosses no network to be protected from.
        builder.Services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        // Binding failures become BadHttpRequestException (with the parameter's name), answered by UseHttpHardening.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
    }

    /// <summary>First in the pipeline.</summary>
    public static void UseHttpHardening(this WebApplication app, EndpointOptions endpoints)
    {
        var httpsPort = endpoints.HttpsPort;
        app.Use((context, next) =>
        {
            if (context.Request.IsHttps || httpsPort <= 0) return next(context);
            RedirectToHttps(context, httpsPort);
            return Task.CompletedTask;
        });
        if (endpoints.Hsts) app.UseHsts();
        app.Use(async (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                // The endpoint's own headers go with its answer; the ones every answer carries are set again.
                var hsts = context.Response.Headers.StrictTransportSecurity;
                context.Response.Clear();
                context.Response.Headers.StrictTransportSecurity = hsts;
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.StatusCode = e.StatusCode;
                var parameter = BoundParameter().Match(e.Message) is { Success: true } m ? m.Groups["name"].Value : null;
                await context.Response.WriteAsJsonAsync(new { error = e.Message, parameter }, context.RequestAborted);
            }
        });
    }

    /// <summary>307 keeps the method and body (a POST stays a POST), as UseHttpsRedirection answers.</summary>
    private static void RedirectToHttps(HttpContext context, int httpsPort)
    {
        var request = context.Request;
        var host = new HostString(request.Host.Host, httpsPort);
        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = $"https://{host}{request.PathBase}{request.Path}{request.QueryString}";
    }
}
