using TrackerDcs.Web.Broker;

namespace TrackerDcs.Web.Sensors;

public static class EnvironmentSetup
{
    public static void AddEnvironment(this WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<EnvironmentMonitor>();

    /// <summary>Through the broker's tap: the monitor only sees publishes the ACL let through.</summary>
    public static void UseEnvironment(this WebApplication app) =>
        app.Services.GetRequiredService<EnvironmentMonitor>().Attach(app.Services.GetRequiredService<BrokerTap>());
}
