using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Web.MqttDevices;

public static class MqttDevicesSetup
{
    /// <summary>The declared devices: their accounts for the broker, their status rules for the time series.</summary>
    public static MqttDevicesOptions AddMqttDevices(this WebApplicationBuilder builder)
    {
        var options = builder.AddSettings<MqttDevicesOptions>();
        builder.Services.AddSingleton<MqttDevicePassThrough>();
        builder.Services.AddSingleton<IDeviceAccounts>(sp => sp.GetRequiredService<MqttDevicePassThrough>());
        foreach (var (name, device) in options)
            if (device.StatusRule() is { } rule)
                builder.Services.AddSingleton(new DeviceMappingRule($"{MqttDevicesOptions.SectionName}:{name}", rule));
        return options;
    }

    /// <summary>Their command routes: after every device the process drives itself, so that a root taken twice is found.</summary>
    public static void UseMqttDevices(this WebApplication app) =>
        app.Services.GetRequiredService<MqttDevicePassThrough>().Register(app.Services.GetRequiredService<CommandBus>());
}
