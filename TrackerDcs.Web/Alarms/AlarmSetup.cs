using TrackerDcs.Web.Common;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Alarms;

public static class AlarmSetup
{
    public static void AddAlarms(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(Settings.Bind<AlarmOptions>(builder.Configuration, "Alarms"));
        builder.Services.AddSingleton<AlarmHistory>();
        builder.Services.AddSingleton<AlarmManager>();
        builder.Services.AddSingleton<AlarmEvaluator>();
        builder.Services.AddHostedService<AlarmService>();
        builder.Services.AddSingleton(Settings.Bind<NotificationOptions>(builder.Configuration, "Notifications"));
        builder.Services.AddHttpClient();
        builder.Services.AddHostedService<AlarmNotifier>();
        builder.Services.AddHostedService<Health.HeartbeatService>();
        var watchdog = Settings.Bind<Health.WatchdogOptions>(builder.Configuration, "Watchdog");
        if (watchdog.Enabled)
        {
            watchdog.Endpoint();
            builder.Services.AddSingleton(watchdog);
            builder.Services.AddHostedService<Health.WatchdogService>();
        }
    }

    public static void UseAlarms(this WebApplication app)
    {
        AlarmCommands.Register(app.Services.GetRequiredService<CommandBus>(), app.Services.GetRequiredService<AlarmManager>());
        var viewers = new[] { nameof(Role.Viewer), nameof(Role.Operator), nameof(Role.Admin) };
        app.MapGet("/api/alarms", (AlarmManager manager) => Results.Ok(manager.Active.Select(AlarmManager.ToJson)))
            .RequireAuthorization(p => p.RequireRole(viewers));
        app.MapGet("/api/alarms/history", (AlarmHistory history, DateTimeOffset? from, DateTimeOffset? to) =>
            Results.Ok(history.Query(from ?? DateTimeOffset.UtcNow.AddDays(-1), to ?? DateTimeOffset.UtcNow.AddSeconds(1))))
            .RequireAuthorization(p => p.RequireRole(viewers));
    }
}
