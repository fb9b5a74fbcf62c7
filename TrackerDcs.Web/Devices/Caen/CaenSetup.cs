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
        var options = builder.AddSettings<CaenOptions>();
        ChannelMap map;
        try
        {
            map = ChannelMap.Load(ChannelsPath(options));
        }
        catch (ChannelMapException e)
        {
            throw new SettingsException("Caen:ChannelsFile", e.Message);
        }
        // The EPICS_CA_* variables override the section, as they do for every Channel Access client.
        builder.AddSettings<ChannelAccessOptions>(ChannelAccessOptions.SectionName, ChannelAccessProblems,
            complete: o => o.ApplyEnvironment(Environment.GetEnvironmentVariables()));
        builder.Services.AddSingleton(map);
        builder.Services.AddSingleton<CaenLink>();
        builder.Services.AddSingleton<CaenSetPoints>();
        builder.Services.AddSingleton<CaenService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CaenService>());
        builder.Services.AddSingleton<IDeviceView<CaenView>>(sp => sp.GetRequiredService<CaenService>());
    }

    private static IEnumerable<SettingsProblem> ChannelAccessProblems(ChannelAccessOptions options)
    {
        try
        {
            options.Validate();
            return [];
        }
        catch (ArgumentException e)
        {
            return [new(ChannelAccessOptions.SectionName, e.Message)];
        }
    }

    public static void UseCaen(this WebApplication app)
    {
        var service = app.Services.GetRequiredService<CaenService>();
        CaenCommands.Register(app.Services.GetRequiredService<CommandBus>(), service.Root, service);
        app.Services.GetRequiredService<Readiness>().Register("driver", "caen", service.Readiness);
        app.MapCaenSimulator();
    }
}
