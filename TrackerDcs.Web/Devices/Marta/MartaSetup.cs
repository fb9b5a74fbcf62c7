using TrackerDcs.Hardware.Marta;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Devices.Marta;

public static class MartaSetup
{
    /// <summary>
    /// The CO2 plant: its PLC (Marta:Host), or the simulated plant when no host is set. The register map is read here,
    /// at start-up: a broken map stops the start naming file, line and key. Marta:Enabled false registers nothing.
    /// </summary>
    public static void AddMarta(this WebApplicationBuilder builder)
    {
        var options = builder.AddSettings<MartaOptions>();
        if (!options.Enabled) return;
        MartaRegisterMap map;
        try
        {
            map = MartaRegisterMap.Load(options.RegisterMapPath);
            MartaControlRegisters.From(map); // the registers the device needs, checked before anything runs
        }
        catch (MartaMapException e)
        {
            throw new SettingsException("Marta:RegisterMap", e.Message);
        }
        builder.Services.AddSingleton(map);
        builder.Services.AddSingleton<MartaLink>();
        builder.Services.AddSingleton<MartaService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MartaService>());
        builder.Services.AddSingleton<IDeviceView<MartaView>>(sp => sp.GetRequiredService<MartaService>());
    }

    /// <summary>The plant's commands, its readiness and its fault injection (nothing when MARTA is not enabled).</summary>
    public static void UseMarta(this WebApplication app)
    {
        if (app.Services.GetService<MartaService>() is not { } service) return;
        MartaCommands.Register(app.Services.GetRequiredService<CommandBus>(), service);
        app.Services.GetRequiredService<Readiness>().Register("driver", "marta", service.Readiness);
        app.MapMartaSimulator();
    }
}
