using System.Net;
using System.Text;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// The broker's gate: authenticates connects with the platform's users, applies the topic ACL to every
/// publish and subscription, and hands command publishes to the command bus.
/// </summary>
public sealed class BrokerSecurity(
    Authenticator authenticator,
    AnonymousPolicy anonymous,
    CommandBus bus,
    BrokerTap tap,
    SessionOwners owners,
    PersistentSessions sessions,
    DurableSessions stored,
    RetainedMessageStore retained,
    BrokerOptions options,
    ILogger<BrokerSecurity> log,
    IDeviceAccounts? devices = null)
{
    private readonly TopicAcl _acl = new(root => bus.IsDevice(root), bus.AllowsViewers);
    /// <summary>Session items: the protocol version of the connection, and the topic filters it is subscribed to.</summary>
    public const string ProtocolKey = "trackerdcs.protocol";
    private const string FiltersKey = "trackerdcs.filters";

    public void Attach(MqttServer server)
    {
        server.ValidatingConnectionAsync += ValidateConnectionAsync;
        server.InterceptingPublishAsync += InterceptPublishAsync;
        server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        server.InterceptingUnsubscriptionAsync += e =>
        {
            if (e.SessionItems[FiltersKey] is HashSet<string> filters) lock (filters) filters.Remove(e.Topic);
            stored.Unsubscribed(e.ClientId, e.Topic);
            return Task.CompletedTask;
        };
        server.InterceptingClientEnqueueAsync += InterceptEnqueueAsync;
        server.SessionDeletedAsync += e =>
        {
            owners.Release(e.Id, Principal(e.SessionItems));
            return Task.CompletedTask;
        };
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId) && e.CleanSession != false) EmptyClientId.Assign(e);

        if (e.ClientId == MqttPublisher.ClientId)
        {
            e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            log.LogWarning("MQTT connect from {Remote} refused: client id '{ClientId}' is the process's own", e.RemoteEndPoint, LogText.Escape(e.ClientId));
            return;
        }

        BrokerPrincipal? principal;
        if (string.IsNullOrEmpty(e.UserName))
        {
            principal = anonymous.Admit(e.RemoteEndPoint);
        }
        else
        {
            var account = await authenticator.AuthenticateAsync(e.UserName, e.Password ?? "", (e.RemoteEndPoint as IPEndPoint)?.Address, e.CancellationToken);
            principal = account is null ? null : Principal(account);
        }

        if (principal is null)
        {
            // MQTT 5 has NotAuthorized (0x87); MQTTnet maps it to 3.1.1's "not authorized" (5) for older clients.
            e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            log.LogWarning("MQTT connect refused: client {ClientId} user '{User}' from {Remote}", LogText.Escape(e.ClientId), e.UserName is null ? "(anonymous)" : LogText.Escape(e.UserName), e.RemoteEndPoint);
            return;
        }
        if (!owners.TryClaim(e.ClientId, principal))
        {
            e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            log.LogWarning("MQTT connect refused: client id '{ClientId}' is held by another user; user '{User}' from {Remote}",
                LogText.Escape(e.ClientId), principal.User, e.RemoteEndPoint);
            return;
        }
        e.SessionItems[BrokerPrincipal.SessionKey] = principal;
        e.SessionItems[ProtocolKey] = e.ProtocolVersion;
        sessions.Connecting(e);
    }

    /// <summary>A declared device's account sees only its device's root; it must be a device account.</summary>
    private BrokerPrincipal? Principal(UserAccount account)
    {
        if (devices?.RootOf(account.Name) is not { } root) return new BrokerPrincipal(account.Name, account.Role, account.TopicPrefixes);
        if (account.Role == Role.Device) return new BrokerPrincipal(account.Name, Role.Device, [root + "/"]);
        log.LogWarning("MQTT connect refused: '{User}' is the account of the device on {Root}/ (MqttDevices) but has role {Role}, not device",
            account.Name, root, account.Role.ToString().ToLowerInvariant());
        return null;
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        var principal = Principal(e.SessionItems);
        if (ReferenceEquals(principal, BrokerPrincipal.Process))
        {
            tap.Raise(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload);
            await retained.KeepAsync(e, principal!, MqttProtocolVersion.V500);
            // Acknowledged to nobody: queued for absent persistent sessions without waiting for the disk.
            _ = stored.QueueForAbsentAsync(e.ApplicationMessage);
            return;
        }
        var topic = e.ApplicationMessage.Topic;
        var denied = principal is null ? "no session" : _acl.CheckPublish(principal, topic);
        var isCommand = TopicAcl.IsCommand(topic);
        if (denied is not null)
        {
            e.ProcessPublish = false;
            log.LogWarning("MQTT publish dropped: client {ClientId} user '{User}' topic '{Topic}': {Reason}",
                LogText.Escape(e.ClientId), principal?.User, LogText.Escape(topic), denied);
            if (isCommand && principal is not null) await bus.RecordDeniedAsync(Request(e, principal), denied);
            return;
        }
        if (isCommand && bus.Withholds(topic))
        {
            // A device that speaks MQTT itself is subscribed to this topic: it gets the command only once the bus has
            // checked and audited it, from the process (which the tap then sees as any other publish).
            e.ProcessPublish = false;
            var forwarded = Request(e, principal!);
            _ = Task.Run(() => bus.ExecuteAsync(forwarded));
            return;
        }
        // Durable (or refused by the quota) before MQTTnet retains and acknowledges it.
        await retained.KeepAsync(e, principal!, e.SessionItems[ProtocolKey] as MqttProtocolVersion? ?? MqttProtocolVersion.V311);
        if (!e.ProcessPublish) return;
        // Before the PUBACK: on disk for the persistent sessions whose clients have not come back since the start.
        await stored.QueueForAbsentAsync(e.ApplicationMessage);
        tap.Raise(topic, e.ApplicationMessage.Payload);
        if (isCommand)
        {
            // The publish itself still reaches subscribers (seed clients watch the command topics); the bus
            // executes it off the broker's receive loop so a slow device never stalls other clients.
            var request = Request(e, principal!);
            _ = Task.Run(() => bus.ExecuteAsync(request));
        }
    }

    private async Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var principal = Principal(e.SessionItems);
        var denied = principal is null ? "no session" : TopicAcl.CheckSubscribe(principal, e.TopicFilter.Topic);
        if (denied is not null)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            log.LogWarning("MQTT subscription refused: client {ClientId} user '{User}' filter '{Filter}': {Reason}",
                LogText.Escape(e.ClientId), principal?.User, LogText.Escape(e.TopicFilter.Topic), denied);
            return;
        }
        var max = options.Quotas.For(principal!.Role).MaxSubscriptions;
        var filters = (HashSet<string>)(e.SessionItems[FiltersKey] ??= new HashSet<string>(StringComparer.Ordinal));
        bool over;
        lock (filters)
        {
            over = !filters.Contains(e.TopicFilter.Topic) && filters.Count >= max;
            if (!over) filters.Add(e.TopicFilter.Topic);
        }
        if (over)
        {
            // MQTT 5 0x97; MQTTnet answers a 3.1.1 client with its only failure code, 0x80.
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.QuotaExceeded;
            if (SessionOnce.First(e.SessionItems, "trackerdcs.subscription-quota-logged"))
                log.LogWarning("MQTT subscription refused: client {ClientId} user '{User}' filter '{Filter}': the connection has its {Max} subscriptions (Broker:Quotas:{Role}:MaxSubscriptions); further ones of this client are not logged",
                LogText.Escape(e.ClientId), principal.User, LogText.Escape(e.TopicFilter.Topic), max, principal.Role);
            return;
        }
        // A persistent session's subscription is on disk before its SUBACK.
        if (PersistentSessions.IsPersistent(e.SessionItems))
            await stored.SubscribedAsync(e.ClientId, e.TopicFilter.Topic, e.TopicFilter.QualityOfServiceLevel);
    }

    /// <summary>Wildcard subscriptions over private/ may match another user's inbox: drop those deliveries.</summary>
    private Task InterceptEnqueueAsync(InterceptingClientApplicationMessageEnqueueEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (topic.StartsWith(TopicAcl.PrivateRoot, StringComparison.Ordinal) &&
            (owners.Owner(e.ReceiverClientId) is not { } receiver || TopicAcl.IsPrivateOfAnother(topic, receiver.User)))
            e.AcceptEnqueue = false;
        return Task.CompletedTask;
    }

    private static BrokerPrincipal? Principal(System.Collections.IDictionary? items) =>
        items?[BrokerPrincipal.SessionKey] as BrokerPrincipal;

    private CommandRequest Request(InterceptingPublishEventArgs e, BrokerPrincipal principal)
    {
        var topic = e.ApplicationMessage.Topic;
        var responseTopic = e.ApplicationMessage.ResponseTopic;
        if (!string.IsNullOrEmpty(responseTopic) && _acl.CheckResponseTopic(principal, responseTopic) is { } refused)
        {
            log.LogWarning("MQTT 5 response topic '{ResponseTopic}' refused for user '{User}' ({Reason}): the reply to {Topic} goes to {Device}/reply",
                LogText.Escape(responseTopic), principal.User, refused, LogText.Escape(topic), LogText.Escape(topic.Split('/', 2)[0]));
            responseTopic = null;
        }
        return new(topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload), principal.User, principal.Role, CommandOrigin.Mqtt,
            e.ClientId, responseTopic, e.ApplicationMessage.CorrelationData);
    }
}
