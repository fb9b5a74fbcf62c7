using TrackerDcs.Web.Common;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Alarms;

public static class AlarmSetup
{
    public static void AddAlarms(this WebApplicationBuilder builder)
    {
        builder.AddSettings<AlarmOptions>();
        builder.Services.AddSingleton<AlarmHistory>();
        builder.Services.AddSingleton<AlarmManager>();
        builder.Services.AddSingleton<AlarmEvaluator>();
        builder.Services.AddHostedService<AlarmService>();
        builder.Services.AddSingleton<IAlarmSource, StoreAlarms>();
    }

    /// <summary>Major alarms to a webhook and by e-mail, when Notifications says where.</summary>
    public static void AddNotifications(this WebApplicationBuilder builder)
    {
        builder.AddSettings<NotificationOptions>();
        builder.Services.AddHttpClient();
        builder.Services.AddHostedService<AlarmNotifier>();
    }

    public static void UseAlarms(this WebApplication app)
    {
        var bus = app.Services.GetRequiredService<CommandBus>();
        AlarmCommands.Register(bus, app.Services.GetRequiredService<AlarmManager>());
        var viewers = new[] { nameof(Role.Viewer), nameof(Role.Operator), nameof(Role.Admin) };
        app.MapGet("/api/alarms", (AlarmManager manager) => Results.Ok(manager.Active.Select(AlarmManager.ToJson)))
            .RequireAuthorization(p => p.RequireRole(viewers));
        app.MapGet("/api/alarms/history", (AlarmHistory history, DateTimeOffset? from, DateTimeOffset? to) =>
            Results.Ok(history.Query(from ?? DateTimeOffset.UtcNow.AddDays(-1), to ?? DateTimeOffset.UtcNow.AddSeconds(1))))
            .RequireAuthorization(p => p.RequireRole(viewers));
    }
}
