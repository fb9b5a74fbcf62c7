using System.Buffers;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// The broker's retained messages, kept in <c>data/retained/</c> (<see cref="RetainedJournal"/>) so that they survive a
/// restart and a crash, and held to each account's quota.
/// <para>
/// MQTTnet awaits the publish interceptor before it updates its retained messages and queues the PUBACK or PUBREC
/// (MqttClientSessionsManager.DispatchApplicationMessage, then MqttConnectedClient's publish handling), so
/// <see cref="KeepAsync"/>, called from that interceptor, makes a retained publish durable before it is acknowledged.
/// </para>
/// </summary>
public sealed class RetainedMessageStore(DataDirectory data, BrokerOptions options, ILogger<RetainedMessageStore> log) : IHostedService
{
    /// <summary>Session item set once the client has been told about a quota: refusals are logged once per client.</summary>
    private const string QuotaLoggedKey = "trackerdcs.retained-quota-logged";
    private readonly string _legacyPath = data.File("retained.json");
    private readonly Lock _gate = new();
    private RetainedJournal? _journal;

    /// <summary>The format before the journal: one JSON file rewritten as a whole.</summary>
    private sealed record Legacy(string Topic, string Payload, int Qos, string? ContentType, string? ResponseTopic, uint MessageExpiry);

    private RetainedJournal Journal
    {
        get
        {
            lock (_gate) return _journal ??= Open();
        }
    }

    /// <summary>Why retained messages can no longer be saved, or null.</summary>
    public string? Failure { get { lock (_gate) return _journal?.Failure; } }

    public void Attach(MqttServer server)
    {
        server.LoadingRetainedMessageAsync += e =>
        {
            e.LoadedRetainedMessages = [.. Journal.Messages.Select(ToMessage)];
            log.LogInformation("Loaded {Count} retained messages", e.LoadedRetainedMessages.Count);
            return Task.CompletedTask;
        };
    }

    /// <summary>
    /// For a publish the broker's gate has accepted: a retained one is journaled, and a client's is acknowledged
    /// only once it is on disk. A retained publish beyond the account's quota is refused (MQTT 5: reason code
    /// 0x97 quota exceeded) or, for MQTT 3.1.1, which has no way to say so, delivered without being retained.
    /// </summary>
    public async Task KeepAsync(InterceptingPublishEventArgs e, BrokerPrincipal principal, MqttProtocolVersion protocol)
    {
        var message = e.ApplicationMessage;
        if (!message.Retain) return;
        var record = new RetainedRecord(message.Topic, principal.User, message.Payload.ToArray(), (byte)message.QualityOfServiceLevel,
            message.ContentType, message.ResponseTopic, message.MessageExpiryInterval);
        if (ReferenceEquals(principal, BrokerPrincipal.Process))
        {
            // The process's own status is not acknowledged to anybody and is published again after a restart: its
            // device loops do not wait for the disk.
            _ = Journal.TryAppend(record);
            return;
        }

        var quota = options.Quotas.For(principal.Role);
        string? refusal = null;
        Task? durable = null;
        if (record.Payload.Length > quota.MaxRetainedMessageBytes)
            refusal = $"a retained message of {record.Payload.Length} bytes is over the {quota.MaxRetainedMessageBytes} bytes of a {principal.Role} account (Broker:Quotas:{principal.Role}:MaxRetainedMessageBytes)";
        else if ((durable = Journal.TryAppend(record, quota.MaxRetainedMessages)) is null)
            refusal = $"the account holds its {quota.MaxRetainedMessages} retained messages (Broker:Quotas:{principal.Role}:MaxRetainedMessages)";
        if (refusal is not null)
        {
            RefuseOverQuota(e, principal, protocol, refusal);
            return;
        }
        try
        {
            await durable!;
        }
        catch (Exception failure) when (failure is IOException or ObjectDisposedException)
        {
            // Not on disk. MQTT 5 is told with a failure code and the message goes nowhere. A 3.1.1 PUBACK has no
            // code; closing the connection would cut a sensor box's live readings off for as long as the disk is
            // full (it reconnects and publishes again, in a loop), and those readings feed the interlocks. So a
            // 3.1.1 message is still delivered, as the quotas do, while the critical log line and /readyz say
            // that retained messages are no longer kept.
            if (protocol >= MqttProtocolVersion.V500)
            {
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.ImplementationSpecificError;
                e.Response.ReasonString = "retained message could not be saved";
            }
            if (SessionOnce.First(e.SessionItems, QuotaLoggedKey)) log.LogError("MQTT retained publish of client {ClientId} user '{User}' not saved (MQTT 5: refused; 3.1.1: delivered, not kept): {Error}",
                LogText.Escape(e.ClientId), principal.User, failure.Message);
        }
    }

    private void RefuseOverQuota(InterceptingPublishEventArgs e, BrokerPrincipal principal, MqttProtocolVersion protocol, string refusal)
    {
        string outcome;
        if (protocol >= MqttProtocolVersion.V500)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            e.Response.ReasonString = refusal;
            outcome = "refused (0x97 quota exceeded)";
        }
        else
        {
            e.ApplicationMessage.Retain = false;
            outcome = "delivered but not retained";
        }
        if (SessionOnce.First(e.SessionItems, QuotaLoggedKey))
            log.LogWarning("MQTT retained publish of client {ClientId} user '{User}' topic '{Topic}' {Outcome}: {Reason}; further ones of this client are not logged",
                LogText.Escape(e.ClientId), principal.User, LogText.Escape(e.ApplicationMessage.Topic), outcome, refusal);
    }

    private RetainedJournal Open()
    {
        var journal = RetainedJournal.Open(data.File("retained"), log, ImportLegacy);
        if (File.Exists(_legacyPath))
        {
            // Read once: the journal holds its messages from now on.
            File.Move(_legacyPath, _legacyPath + ".migrated", overwrite: true);
            log.LogInformation("Retained messages of {Path} moved to the journal in {Directory}; the file is kept as {Kept}",
                _legacyPath, data.File("retained"), _legacyPath + ".migrated");
        }
        return journal;
    }

    private IEnumerable<RetainedRecord> ImportLegacy()
    {
        if (!File.Exists(_legacyPath)) return [];
        try
        {
            var stored = JsonSerializer.Deserialize<List<Legacy>>(File.ReadAllText(_legacyPath)) ?? [];
            // The old file did not say who published what: the messages count for no account's quota.
            return stored.Select(s => new RetainedRecord(s.Topic, "", Convert.FromBase64String(s.Payload), (byte)s.Qos,
                s.ContentType, s.ResponseTopic, s.MessageExpiry)).ToList();
        }
        catch (Exception e) when (e is JsonException or FormatException or IOException)
        {
            // Keep the unreadable file for a human; start with none rather than not at all.
            var aside = _legacyPath + ".unreadable";
            File.Copy(_legacyPath, aside, overwrite: true);
            log.LogError("Retained messages in {Path} are unreadable ({Error}); kept as {Aside}, starting with none", _legacyPath, e.Message, aside);
            return [];
        }
    }

    private static MqttApplicationMessage ToMessage(RetainedRecord r) => new MqttApplicationMessageBuilder()
        .WithTopic(r.Topic)
        .WithPayload(r.Payload)
        .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)r.Qos)
        .WithContentType(r.ContentType)
        .WithResponseTopic(r.ResponseTopic)
        .WithMessageExpiryInterval(r.MessageExpiry)
        .WithRetainFlag()
        .Build();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Journal; // open (and migrate) at start, so a damaged store is reported before clients connect
        return Task.CompletedTask;
    }

    /// <summary>After the broker (started later, stopped earlier): what is queued is written before the process ends.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        RetainedJournal? journal;
        lock (_gate) journal = _journal;
        if (journal is not null) await journal.DisposeAsync();
    }
}
