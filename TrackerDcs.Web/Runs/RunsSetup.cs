using TrackerDcs.Web.Common;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Web.Runs;

public static class RunsSetup
{
    /// <summary>
    /// Calibration runs: the store is MongoDB when Runs:MongoDb is set, else the embedded database; run events
    /// and the conditions join use InfluxDB when Runs:InfluxDb is set, else there are no events and the
    /// conditions of a run are its own start and end snapshots.
    /// </summary>
    public static void AddRuns(this WebApplicationBuilder builder)
    {
        // Each calibration first on its own: the binder names an unknown key only at the level it binds.
        foreach (var calibration in builder.Configuration.GetSection("Runs:Calibrations").GetChildren())
            Settings.Bind<CalibrationOptions>(builder.Configuration, calibration.Path);
        var options = builder.AddSettings<RunsOptions>();
        var services = builder.Services;
        if (options.MongoDb != "")
        {
            MongoRunStore mongo;
            try
            {
                mongo = new MongoRunStore(options.MongoDb, options.MongoDatabase);
            }
            catch (Exception e) when (e is MongoDB.Driver.MongoConfigurationException or ArgumentException)
            {
                throw new SettingsException("Runs:MongoDb", e.Message);
            }
            services.AddSingleton<IRunStore>(mongo);
        }
        else
        {
            services.AddSingleton<IRunStore>(sp => new SqliteRunStore(sp.GetRequiredService<Database>()));
        }
        if (options.InfluxDb != "")
        {
            var influx = new InfluxDbHttp(InfluxHttpClient.Create(options.InfluxDb, TimeSpan.FromSeconds(10), options.InfluxUser, options.InfluxPassword),
                options.InfluxDatabase);
            services.AddSingleton(sp => new InfluxRunEventSink(influx, sp.GetRequiredService<DataDirectory>().File("runs-events.pending"),
                builder.Configuration["Site:Stand"] ?? ""));
            services.AddSingleton<IRunEventSink>(sp => sp.GetRequiredService<InfluxRunEventSink>());
            services.AddSingleton<IConditionsQuery>(new InfluxConditionsQuery(influx));
        }
        services.AddSingleton<Preconditions>();
        services.AddSingleton<ConditionsSnapshot>();
        services.AddSingleton<RunController>();
        services.AddHostedService<RunsService>();
    }

    public static void UseRuns(this WebApplication app)
    {
        var controller = app.Services.GetRequiredService<RunController>();
        RunCommands.Register(app.Services.GetRequiredService<CommandBus>(), controller);
        app.MapRuns();
        app.Services.GetRequiredService<Readiness>().Register("store", $"runs-{controller.Store.Kind}", () =>
        {
            var active = controller.Active;
            return new ComponentState(true, active is null ? "idle" : $"run {active.Run} running");
        });
    }
}
