using TrackerDcs.Web.Common;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Commands;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Devices.Julabo;

public static class JulaboSetup
{
    /// <summary>The chiller on its serial port or TCP bridge, or the simulated one (Julabo:Port = "simulated").</summary>
    public static void AddJulabo(this WebApplicationBuilder builder)
    {
        var options = Settings.Bind<JulaboOptions>(builder.Configuration, JulaboOptions.SectionName);
        if (options.Validate() is [var first, ..]) throw new SettingsException(JulaboOptions.KeyOf(first), first);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => JulaboDevice.Create(options, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<JulaboService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JulaboService>());
    }

    /// <summary>julabo/cmd/&lt;name&gt;: the seed's commands, parsed and validated before anything goes to the unit.</summary>
    public static void UseJulabo(this WebApplication app)
    {
        app.MapJulaboSimulator();
        var device = app.Services.GetRequiredService<JulaboService>().Device;
        var bus = app.Services.GetRequiredService<CommandBus>();
        foreach (var name in JulaboRequest.Names)
            bus.Register($"{JulaboService.Root}/cmd/{name}", async (request, ct) =>
            {
                if (!JulaboRequest.TryParse(name, request.Payload, out var parsed, out var error))
                    return CommandResult.Refused(error!);
                return await parsed!.ExecuteAsync(device, ct);
            });
    }
}
