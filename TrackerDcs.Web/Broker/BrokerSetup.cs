using MQTTnet.AspNetCore;
using MQTTnet.Server;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Health;

namespace TrackerDcs.Web.Broker;

public static class BrokerSetup
{
    /// <summary>The embedded broker: MQTTnet hosted in Kestrel (TCP, TLS and WebSocket transports), no listener of its own.</summary>
    public static void AddBroker(this WebApplicationBuilder builder)
    {
        var options = builder.AddSettings<BrokerOptions>();
        var services = builder.Services;
        services.AddSingleton<AnonymousPolicy>();
        services.AddSingleton<MqttConnectionGuard>();
        services.AddSingleton<GuardedMqttConnectionHandler>();
        services.AddSingleton<BrokerTap>();
        services.AddSingleton<SessionOwners>();
        services.AddSingleton<DurableSessions>();
        // Before the broker, as the retained messages: read before clients connect, written out after the broker stops.
        services.AddHostedService(sp => sp.GetRequiredService<DurableSessions>());
        services.AddSingleton<PersistentSessions>();
        services.AddHostedService(sp => sp.GetRequiredService<PersistentSessions>());
        services.AddSingleton<BrokerSecurity>();
        services.AddSingleton<PendingQuota>();
        services.AddSingleton<SubscriberFlowControl>();
        services.AddSingleton<MqttPublisher>();
        services.AddSingleton<IMqttPublisher>(sp => sp.GetRequiredService<MqttPublisher>());
        services.AddSingleton<RetainedMessageStore>();
        // Before the broker: started (journal opened) before it loads retained messages, stopped after it.
        services.AddHostedService(sp => sp.GetRequiredService<RetainedMessageStore>());
        services.AddHostedMqttServer(o => o
            .WithoutDefaultEndpoint()
            .WithDefaultCommunicationTimeout(options.CommunicationTimeout)
            // Kept while the client is away, and deleted when it does not come back in time (PersistentSessions).
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(options.MaxPendingMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage));
        services.AddHostedService<MqttDrain>();
        services.AddMqttConnectionHandler();
        services.AddConnections();
    }

    public static void MapBroker(this WebApplication app)
    {
        app.MapConnectionHandler<GuardedMqttConnectionHandler>("/mqtt",
            o => o.WebSockets.SubProtocolSelector = protocols => MqttSubProtocolSelector.SelectSubProtocol(protocols));
        app.UseMqttServer(server =>
        {
            app.Services.GetRequiredService<BrokerSecurity>().Attach(server);
            app.Services.GetRequiredService<RetainedMessageStore>().Attach(server);
            // Enqueue hooks run in this order: the gate, the quota, the wait for a slow subscriber, then the persistent
            // sessions keep what was queued.
            app.Services.GetRequiredService<PendingQuota>().Attach();
            app.Services.GetRequiredService<SubscriberFlowControl>().Attach();
            app.Services.GetRequiredService<PersistentSessions>().Attach();
        });
        var guard = app.Services.GetRequiredService<MqttConnectionGuard>();
        var server = app.Services.GetRequiredService<MqttServer>();
        var retained = app.Services.GetRequiredService<RetainedMessageStore>();
        app.Services.GetRequiredService<Readiness>().Register("broker", "mqtt", () =>
            !server.IsStarted ? new ComponentState(false, "stopped")
            : retained.Failure is { } failure ? new ComponentState(false, $"retained messages cannot be saved, retained publishes refused: {failure}")
            : new ComponentState(true, "running", $"{guard.Connections} MQTT connections, {guard.NotLoggedIn} not logged in"));
    }
}
