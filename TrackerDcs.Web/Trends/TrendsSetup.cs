using System.Text.Json;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Trends;

/// <summary>
/// The trend charts' backend: the signal catalogue, the annotations, and the JSON the charts fetch. Under
/// /panel-api, which the panel's cookie authenticates (not Basic: the browser sends the cookie with each
/// fetch); every panel role may read. A chart asks its range directly, so a zoom costs one HTTP request and one
/// decimated query, with no round trip through the Blazor circuit.
/// </summary>
public static class TrendsSetup
{
    public const string ApiPath = "/panel-api/trends";
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static void AddTrends(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ISignalDescriber, StandSignals>();
        services.AddSingleton<AlarmTrends>();
        services.AddSingleton<ITrendSource>(sp => sp.GetRequiredService<AlarmTrends>());
        services.AddSingleton<ITrendAnnotations>(sp => sp.GetRequiredService<AlarmTrends>());
        services.AddSingleton<ITrendAnnotations, RunAnnotations>();
        services.AddSingleton<ITrendAnnotations, ProcedureAnnotations>();
        services.AddSingleton<SignalCatalogue>();
        services.AddSingleton<TrendService>();
    }

    public static void UseTrends(this WebApplication app)
    {
        var api = app.MapGroup(ApiPath).RequireAuthorization(p => p.RequireRole(nameof(Role.Viewer), nameof(Role.Operator), nameof(Role.Admin)));
        api.MapGet("", async (HttpContext context, TrendService trends) =>
            TrendQuery.TryParse(context.Request.Query, out var query, out var error)
                ? Results.Json(await trends.ReadAsync(query!, context.RequestAborted), JsonOptions)
                : Results.BadRequest(new { error }));
        api.MapGet("/signals", async (HttpContext context, SignalCatalogue catalogue) =>
            Results.Json(await catalogue.ListAsync(context.RequestAborted), JsonOptions));
    }
}
