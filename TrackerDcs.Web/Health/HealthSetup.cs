using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Health;

public static class HealthSetup
{
    /// <summary>dcs/heartbeat on the embedded broker.</summary>
    public static void AddHeartbeat(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HeartbeatService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HeartbeatService>());
        builder.Services.AddSingleton<IStopAnnouncement>(sp => sp.GetRequiredService<HeartbeatService>());
    }

    /// <summary>The external watchdog broker, when Watchdog:Broker names one.</summary>
    public static void AddWatchdog(this WebApplicationBuilder builder)
    {
        if (!builder.AddSettings<WatchdogOptions>().Enabled) return;
        builder.Services.AddSingleton<WatchdogService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WatchdogService>());
    }

    public static void UseWatchdog(this WebApplication app)
    {
        if (app.Services.GetService<WatchdogService>() is not { } watchdog) return;
        app.Services.GetRequiredService<Readiness>().Register("watchdog", app.Services.GetRequiredService<WatchdogOptions>().Broker, watchdog.Readiness);
    }
}
