using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Site;

public static class SiteSetup
{
    /// <summary>Site:Mode=Site makes this process the site instance (no hardware); read before anything is registered.</summary>
    public static bool IsSiteInstance(IConfiguration configuration) =>
        Settings.Bind<SiteOptions>(configuration, SiteOptions.Section).IsSite;

    /// <summary>The uplink to the site's cluster, when Site:Brokers lists its nodes; nothing otherwise.</summary>
    public static void AddSite(this WebApplicationBuilder builder)
    {
        var options = builder.AddSettings<SiteOptions>();
        if (!options.Enabled) return;
        builder.Services.AddSingleton(sp => new SiteOutbox(sp.GetRequiredService<DataDirectory>(), options.QueueLimit));
        builder.Services.AddSingleton<SiteUplink>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SiteUplink>());
        builder.Services.AddSingleton<IAlarmSource>(sp => sp.GetRequiredService<SiteUplink>());
    }

    /// <summary>
    /// The site instance: every stand's view from the cluster, the site's commands to them. Its panel needs an alarm
    /// manager (the annunciator of every page), which has the site instance's one alarm of its own, site.cluster (its
    /// subscriber reconciles it); its stands' alarms are on the Site page.
    /// </summary>
    public static void AddSiteInstance(this WebApplicationBuilder builder)
    {
        builder.AddSettings<SiteOptions>();
        builder.AddSettings<AlarmOptions>();
        builder.Services.AddSingleton<AlarmHistory>();
        builder.Services.AddSingleton<AlarmManager>();
        builder.Services.AddSingleton<SiteStands>();
        builder.Services.AddSingleton<IDeviceView<SiteView>>(sp => sp.GetRequiredService<SiteStands>());
        builder.Services.AddSingleton<SiteSubscriber>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SiteSubscriber>());
        builder.Services.AddSingleton<SiteCommander>();
    }

    /// <summary>The panel's pages of a stand's own devices, runs and procedures (the Panel's routes), which a site instance has not.</summary>
    private static readonly string[] StandPages = ["/power", "/chiller", "/switchbox", "/marta", "/sensors", "/trends", "/runs", "/procedures"];

    public static void UseSiteInstance(this WebApplication app)
    {
        app.Services.GetRequiredService<SiteCommander>();
        // The stand's overview is not here: the site's first page is the Site page. Nor are a stand's device pages, which
        // need the devices a stand has: a bookmark or a link from a stand opens the Site page, which names what was asked.
        app.Use((context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method)) return next(context);
            var path = context.Request.Path;
            if (path == "/")
            {
                context.Response.Redirect("/site");
                return Task.CompletedTask;
            }
            if (StandPages.Any(page => path.StartsWithSegments(page)))
            {
                context.Response.Redirect($"/site?from={Uri.EscapeDataString(path.Value!)}");
                return Task.CompletedTask;
            }
            return next(context);
        });
        app.MapSite();
    }
}
