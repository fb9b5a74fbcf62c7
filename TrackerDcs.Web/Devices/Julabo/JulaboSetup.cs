using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Devices.Julabo;

public static class JulaboSetup
{
    /// <summary>The chiller on its serial port or TCP bridge, or the simulated one (Julabo:Port = "simulated").</summary>
    public static void AddJulabo(this WebApplicationBuilder builder)
    {
        builder.AddSettings<JulaboOptions>();
        builder.Services.AddSingleton<JulaboLink>();
        builder.Services.AddSingleton<JulaboService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JulaboService>());
        builder.Services.AddSingleton<IDeviceView<JulaboView>>(sp => sp.GetRequiredService<JulaboService>());
    }

    /// <summary>The chiller's commands, its readiness and its fault injection.</summary>
    public static void UseJulabo(this WebApplication app)
    {
        var service = app.Services.GetRequiredService<JulaboService>();
        JulaboCommands.Register(app.Services.GetRequiredService<CommandBus>(), service);
        app.Services.GetRequiredService<Readiness>().Register("driver", "julabo", service.Readiness);
        app.MapJulaboSimulator();
    }
}
