using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Storage;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Web.Procedures;

public static class ProcedureSetup
{
    public static void AddProcedures(this WebApplicationBuilder builder)
    {
        var options = builder.AddSettings<ProcedureOptions>();
        builder.Services.AddSingleton(new ProcedureCatalog(options.Path));
        // Beside the calibration runs: in MongoDB when Runs:MongoDb is set (AddRuns has checked the string), else embedded.
        builder.Services.AddSingleton<IProcedureRunStore>(sp => sp.GetRequiredService<RunsOptions>() is { MongoDb: not "" } runs
            ? new MongoProcedureRunStore(runs.MongoDb, runs.MongoDatabase)
            : new SqliteProcedureRunStore(sp.GetRequiredService<Database>()));
        // The run's events and IV points go where the readings go when that is InfluxDB (its spool included).
        builder.Services.AddSingleton(sp => new ProcedureEvents(sp.GetService<InfluxStore>()));
        builder.Services.AddSingleton<ProcedureRunner>();
        builder.Services.AddHostedService<ProcedureService>();
    }

    /// <summary>The procedures/cmd/… routes (before the MQTT devices, which must not take the procedures root), and the runs' exports.</summary>
    public static void UseProcedures(this WebApplication app)
    {
        ProcedureCommands.Register(app.Services.GetRequiredService<CommandBus>(), app.Services.GetRequiredService<ProcedureRunner>(),
            app.Services.GetRequiredService<ProcedureCatalog>(), app.Services.GetRequiredService<IProcedureRunStore>(), () => Rules(app.Services));
        app.MapProcedureRuns();
    }

    /// <summary>
    /// Last, once every device's commands are on the bus: the files are checked against them, and a broken one stops
    /// the start naming file, line and key. A run a crash left behind is marked failed here, before any command can start another.
    /// </summary>
    public static void LoadProcedures(this WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<ProcedureCatalog>().Load(Rules(app.Services));
        }
        catch (ProcedureFileException e)
        {
            throw new SettingsException("Procedures:Directory", e.Message);
        }
        app.Services.GetRequiredService<ProcedureRunner>().FailOrphans();
    }

    private static ProcedureRules Rules(IServiceProvider services)
    {
        var map = services.GetRequiredService<ChannelMap>();
        return new ProcedureRules(services.GetRequiredService<CommandBus>().HasRoute, map, map.Name,
            [.. services.GetRequiredService<RunsOptions>().Calibrations.Keys]);
    }
}
