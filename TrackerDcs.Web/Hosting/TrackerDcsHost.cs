using Microsoft.Extensions.Options;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Marta;
using TrackerDcs.Web.Devices.Sensors;
using TrackerDcs.Web.Devices.SwitchBox;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.Interlocks;
using TrackerDcs.Web.MqttDevices;
using TrackerDcs.Web.Panel;
using TrackerDcs.Web.Procedures;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Site;
using TrackerDcs.Web.TimeSeries;
using TrackerDcs.Web.Trends;

namespace TrackerDcs.Web.Hosting;

/// <summary>The stand's process. A setting that cannot be used stops the start with one line naming it.</summary>
public static class TrackerDcsHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
            Settings.AddSources(builder.Configuration, args);
            builder.AddConsoleLog();
            app = SiteSetup.IsSiteInstance(builder.Configuration) ? BuildSiteInstance(builder) : BuildStand(builder);
            // The options are checked again as the host starts (ValidateOnStart), before any service runs.
            await app.StartAsync();
        }
        catch (Exception e) when (e is SettingsException or InvalidDataException or FormatException)
        {
            return CannotStart(e.Message);
        }
        catch (OptionsValidationException e)
        {
            return CannotStart(e.Failures.First());
        }
        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    /// <summary>The stand: its devices, interlocks, alarms, runs and procedures, and its uplink to the site when it has one.</summary>
    private static WebApplication BuildStand(WebApplicationBuilder builder)
    {
        builder.AddPlatform();
        builder.AddCaen();
        builder.AddJulabo();
        builder.AddMarta();
        builder.AddSensors();
        builder.AddSwitchBox(builder.AddMqttDevices());
        builder.AddInterlocks();
        builder.AddAlarms();
        builder.AddNotifications();
        builder.AddHeartbeat();
        builder.AddWatchdog();
        builder.AddTimeSeries();
        builder.AddRuns();
        builder.AddTrends();
        builder.AddPanel();
        builder.AddProcedures();
        builder.AddSite();
        var app = builder.Build();
        app.UsePlatform();
        app.UseCaen();
        app.UseJulabo();
        app.UseMarta();
        app.UseSensors();
        app.UseSwitchBox();
        app.UseInterlocks();
        app.UseAlarms();
        LowDiskGuard.Use(app);
        app.UseWatchdog();
        app.UseTimeSeries();
        app.UseRuns();
        app.UseTrends();
        app.UsePanel();
        app.UseProcedures();
        // Last: a declared device's root must not be one of the roots the process's own devices have taken.
        app.UseMqttDevices();
        // After every device's commands are on the bus: the procedure files are checked against them.
        app.LoadProcedures();
        return app;
    }

    /// <summary>
    /// The site instance (Site:Mode=Site, docs/site.md): no hardware, no interlocks, no runs; its users, audit, panel and
    /// broker as on a stand, and every stand read from the site's cluster.
    /// </summary>
    private static WebApplication BuildSiteInstance(WebApplicationBuilder builder)
    {
        builder.AddPlatform();
        builder.AddPanel();
        builder.AddSiteInstance();
        var app = builder.Build();
        app.UsePlatform();
        app.UsePanel();
        app.UseSiteInstance();
        return app;
    }

    private static int CannotStart(string problem)
    {
        Console.Error.WriteLine($"TrackerDcs cannot start: {problem}");
        return 2;
    }
}
