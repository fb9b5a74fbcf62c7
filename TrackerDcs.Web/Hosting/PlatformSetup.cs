using TrackerDcs.Web.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.Security;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Hosting;

public static class PlatformSetup
{
    /// <summary>Data directory, database, users, audit, command bus, broker, readiness: what every device plugs into.</summary>
    public static void AddPlatform(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        var data = new DataDirectory(configuration);
        services.AddSingleton(data);
        builder.AddCookieKeys(data);
        services.AddSingleton<Database>();
        services.AddSingleton<StoreHealth>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<PasswordHashPool>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<AuditJournal>();
        services.AddSingleton<AuditLog>();
        services.AddHostedService<AuditJournalImporter>();
        builder.AddSettings<AuditOptions>();
        services.AddHostedService<AuditRetention>();
        services.AddSingleton<ICommandAudit>(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<CommandBus>();
        services.AddSingleton<Readiness>();
        builder.AddSettings<TlsOptions>();
        services.AddSingleton<ServerCertificate>();
        builder.AddBroker();
        builder.ConfigureTrackerDcsEndpoints(builder.AddSettings<EndpointOptions>());
        builder.AddHttpHardening();
        services.AddAuthentication(BasicAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, null);
        // [Authorize] without roles (every panel page) means a person's role: a device account (an ESP box's
        // password, often kept in its firmware) authenticates to the broker, never to the panel.
        services.AddAuthorization(o => o.DefaultPolicy = new AuthorizationPolicyBuilder().RequireRole(RoleExtensions.PeopleRoles).Build());
    }

    /// <summary>Everything that must exist before clients arrive: the certificate (a bad one stops the start), the first admin, the routes.</summary>
    public static void UsePlatform(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<ServerCertificate>().Certificate;
        // Preallocated now, while the disk has room: interlock actions are journaled there when it has none.
        _ = app.Services.GetRequiredService<AuditJournal>();
        InitialAdmin.EnsureExists(app.Services.GetRequiredService<UserStore>(), app.Services.GetRequiredService<DataDirectory>(),
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TrackerDcs.Users"));
        app.WarnOfRenamedSettings();
        var data = app.Services.GetRequiredService<DataDirectory>();
        var storage = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TrackerDcs.Storage");
        foreach (var problem in new[] { data.PermissionProblem, app.Services.GetRequiredService<Database>().PermissionProblem }.OfType<string>())
            storage.LogWarning("{Problem}: the data directory holds password hashes, the audit log and keys", problem);
        app.UseCookieKeys(data, storage);
        // The calibration runs' root is the process's from the first moment, also before its commands are
        // registered: nobody but the process publishes ph2acf/status, whatever is configured.
        app.Services.GetRequiredService<CommandBus>().ReserveDevice("ph2acf");
        var database = app.Services.GetRequiredService<Database>();
        var health = app.Services.GetRequiredService<StoreHealth>();
        var readiness = app.Services.GetRequiredService<Readiness>();
        readiness.Register("store", StoreHealth.Database, () =>
        {
            using var connection = database.Open();
            return NotWritable(health, StoreHealth.Database) ?? new ComponentState(true, "open");
        });
        readiness.Register("store", StoreHealth.Journal, () => NotWritable(health, StoreHealth.Journal) ?? new ComponentState(true, "writable"));

        app.UseHttpHardening(app.Services.GetRequiredService<EndpointOptions>());
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealth();
        app.MapAudit();
        app.MapBroker();
    }

    /// <summary>A store whose last write failed is not ready: /readyz says since when and why.</summary>
    private static ComponentState? NotWritable(StoreHealth health, string store) =>
        health.Of(store) is { } failure ? new ComponentState(false, "not writable", $"since {failure.Since:O}: {failure.Error}") : null;
}
