using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Devices.Sensors;

public static class SensorsSetup
{
    public static void AddSensors(this WebApplicationBuilder builder)
    {
        builder.AddSettings<SensorsOptions>();
        builder.Services.AddSingleton<SensorsService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SensorsService>());
        builder.Services.AddSingleton<IDeviceView<SensorsView>>(sp => sp.GetRequiredService<SensorsService>());
    }

    /// <summary>Through the broker's tap: the service only sees publishes the ACL let through. And the simulated box's faults.</summary>
    public static void UseSensors(this WebApplication app)
    {
        app.Services.GetRequiredService<SensorsService>().Attach(app.Services.GetRequiredService<BrokerTap>());
        app.MapSensorsSimulator();
    }
}
