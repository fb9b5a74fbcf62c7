using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Site;

public static class SiteSetup
{
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
}
