using TrackerDcs.Web.Common;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Hardware.ChannelAccess;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Devices.Caen;

public static class CaenSetup
{
    public static string ChannelsPath(CaenOptions options) => Path.GetFullPath(options.ChannelsFile, AppContext.BaseDirectory);

    /// <summary>
    /// The CAEN crate: the channel map is loaded here, at start-up, so a broken channels.yml stops the process
    /// with its file, line and key instead of starting half-configured.
    /// </summary>
    public static void AddCaen(this WebApplicationBuilder builder)
    {
        var options = Settings.Bind<CaenOptions>(builder.Configuration, "Caen");
        Settings.RequirePort("Caen:SimulatorPort", options.SimulatorPort);
        ChannelMap map;
        try
        {
            map = ChannelMap.Load(ChannelsPath(options));
        }
        catch (ChannelMapException e)
        {
            throw new SettingsException("Caen:ChannelsFile", e.Message);
        }
        var channelAccess = Settings.Bind<ChannelAccessOptions>(builder.Configuration, ChannelAccessOptions.SectionName)
            .ApplyEnvironment(Environment.GetEnvironmentVariables());
        try
        {
            channelAccess.Validate();
        }
        catch (ArgumentException e)
        {
            throw new SettingsException(ChannelAccessOptions.SectionName, e.Message);
        }
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(map);
        builder.Services.AddSingleton(sp => new CaenLink(options, channelAccess, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<CaenService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CaenService>());
    }

    public static void UseCaen(this WebApplication app)
    {
        var service = app.Services.GetRequiredService<CaenService>();
        CaenCommands.Register(app.Services.GetRequiredService<CommandBus>(), service.Root, service);
        app.Services.GetRequiredService<Readiness>().Register("driver", "caen", service.Readiness);
        app.MapCaenSimulator();
    }
}
