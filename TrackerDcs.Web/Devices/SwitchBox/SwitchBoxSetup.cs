using TrackerDcs.Hardware.SwitchBox;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.MqttDevices;

namespace TrackerDcs.Web.Devices.SwitchBox;

public static class SwitchBoxSetup
{
    /// <summary>
    /// The switch box, when SwitchBox:Enabled: on its serial line, TCP bridge or simulated (Mode Serial), or on the
    /// broker itself (Mode Wifi, declared under MqttDevices). The service is registered either way, so that the
    /// panel and the interlocks always have a view (DISABLED without a box).
    /// </summary>
    public static void AddSwitchBox(this WebApplicationBuilder builder, MqttDevicesOptions mqttDevices)
    {
        var options = builder.AddSettings<SwitchBoxOptions>();
        if (options is { Enabled: true, Mode: SwitchBoxMode.Wifi } && !mqttDevices.ContainsKey(options.WifiDevice))
            throw new SettingsException($"{SwitchBoxOptions.SectionName}:{nameof(SwitchBoxOptions.WifiDevice)}",
                $"'{options.WifiDevice}' is not declared under {MqttDevicesOptions.SectionName} (appsettings.json has the box's declaration, commented)");
        if (options is { Enabled: true, Mode: SwitchBoxMode.Serial }) builder.Services.AddSingleton<SwitchBoxLink>();
        builder.Services.AddSingleton<SwitchBoxService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SwitchBoxService>());
        builder.Services.AddSingleton<IDeviceView<SwitchBoxView>>(sp => sp.GetRequiredService<SwitchBoxService>());
    }

    /// <summary>
    /// Serial: the box's command routes. Wifi: the box's status read from the broker, and its rules guarding the
    /// pass-through. Either way its readiness and (when simulated) its fault injection.
    /// </summary>
    public static void UseSwitchBox(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<SwitchBoxOptions>();
        var service = app.Services.GetRequiredService<SwitchBoxService>();
        app.MapSwitchBoxSimulator();
        if (!options.Enabled) return;
        if (options.Mode == SwitchBoxMode.Serial)
        {
            SwitchBoxCommands.Register(app.Services.GetRequiredService<CommandBus>(), service);
        }
        else
        {
            var declaration = app.Services.GetRequiredService<MqttDevicesOptions>()[options.WifiDevice];
            service.Attach(app.Services.GetRequiredService<BrokerTap>(), declaration.StatusTopic);
            // The box enforces no rule itself: in wifi mode too, a command that breaks one never reaches it.
            app.Services.GetRequiredService<MqttDevicePassThrough>().AddGuard(options.WifiDevice, (_, payload) =>
                SwitchBoxProtocol.TryParseCommand(payload, out var command, out string? _) ? service.View.Refusal(command) : null);
        }
        app.Services.GetRequiredService<Readiness>().Register("driver", "switchbox", service.Readiness);
    }
}
