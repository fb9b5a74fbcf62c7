using System.Buffers;
using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using TrackerDcs.Hardware;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Devices;
using TrackerDcs.Web.Devices.Julabo;
using TrackerDcs.Web.Devices.Sensors;

namespace TrackerDcs.Web.Site;

/// <summary>
/// The stand's link to the site (docs/site.md): one MQTT 3.1.1 client to one node of the site's RabbitMQ cluster at a time,
/// handing over to the next node as soon as its node is lost. It mirrors the stand's device topics to site/&lt;stand&gt;/…
/// (QoS 1) from the broker's tap, and passes the site's commands into the stand's own command bus, where roles,
/// interlocks and audit apply as to any other command. It only reads what the stand does: losing the site raises
/// the minor alarm site.unreachable and changes nothing else.
/// </summary>
public sealed class SiteUplink : BackgroundService, IAlarmSource
{
    private static readonly TimeSpan ConnectTimeout = SiteClient.ConnectTimeout;
    private static readonly TimeSpan MaxRoundDelay = TimeSpan.FromSeconds(10);
    private readonly SiteOptions _options;
    private readonly CommandBus _bus;
    private readonly SiteOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger<SiteUplink> _log;
    private readonly IReadOnlyList<(string Host, int Port)> _endpoints;
    private readonly Channel<(string Topic, string Payload, Mirroring How)> _tapped =
        Channel.CreateBounded<(string, string, Mirroring)>(new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Channel<MqttApplicationMessage> _commands = Channel.CreateUnbounded<MqttApplicationMessage>(new() { SingleReader = true });
    private IMqttClient _client;
    private int _node = -1;
    private DateTimeOffset? _awaySince;
    private volatile string _state = "connecting";
    private long _tapDropped;
    private string? _environment;

    public SiteUplink(SiteOptions options, CommandBus bus, BrokerTap tap, SiteOutbox outbox, IDeviceView<SensorsView> sensors,
        IDeviceView<JulaboView> chiller, AlarmOptions alarms, TimeProvider time, ILogger<SiteUplink> log)
    {
        _options = options;
        _bus = bus;
        _outbox = outbox;
        _time = time;
        _log = log;
        _endpoints = options.Endpoints();
        _awaySince = time.GetUtcNow();
        tap.Subscribe(Observe);
        // The margin's coldest temperature is the chiller's: a bath cooling down, or a chiller lost, changes it between
        // two sensor messages (a box may send one a minute).
        void Environment() => ObserveEnvironment(sensors.View, alarms.DewPointMarginMin);
        sensors.Changed += Environment;
        chiller.Changed += Environment;
        _client = NewClient();
    }

    /// <summary>The stand's dew-point margin, on each change of the figure shown (sensor messages come often, the figure changes seldom).</summary>
    private void ObserveEnvironment(SensorsView view, double marginMin)
    {
        var payload = SiteEnvironment.Payload(view, marginMin);
        if (Interlocked.Exchange(ref _environment, payload) == payload) return;
        if (!_tapped.Writer.TryWrite((SiteTopics.Environment, payload, Mirroring.Latest))) Interlocked.Increment(ref _tapDropped);
    }

    /// <summary>
    /// A fresh client for each connection attempt: after a node died under it, MQTTnet's client can stay in a pending
    /// state ("not allowed to connect while connect/disconnect is pending") and refuse every later connect.
    /// </summary>
    private IMqttClient NewClient()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        // A lost node wakes the sender at once, which then hands over to the next node.
        client.DisconnectedAsync += _ =>
        {
            _outbox.Signal.Release();
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e =>
        {
            // The client's receive loop only hands the command on: the bus may take seconds (a ramp), and the uplink keeps mirroring meanwhile.
            _commands.Writer.TryWrite(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        return client;
    }

    private void ReplaceClient()
    {
        var old = _client;
        _client = NewClient();
        try { old.Dispose(); }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException) { }
    }

    /// <summary>The node connected to now (host:port), or null while the site is away.</summary>
    public string? ConnectedNode => _client.IsConnected && _node >= 0 ? $"{_endpoints[_node].Host}:{_endpoints[_node].Port}" : null;

    public string State => _state;

    /// <summary>On the broker's receive path: classify, copy, hand on; never waits, whatever the site does.</summary>
    private void Observe(string topic, ReadOnlySequence<byte> payload)
    {
        var how = SiteTopics.Classify(topic, _bus.IsDevice);
        if (how == Mirroring.None) return;
        if (!_tapped.Writer.TryWrite((topic, Encoding.UTF8.GetString(payload), how))) Interlocked.Increment(ref _tapDropped);
    }

    public IEnumerable<AlarmCondition> AlarmConditions()
    {
        if (_awaySince is not { } since || _time.GetUtcNow() - since < _options.AlarmAfter) yield break;
        yield return new AlarmCondition(AlarmCatalog.SiteUnreachable, _options.Stand,
            $"no node of the site's cluster reachable since {since:HH:mm:ss} UTC ({_state}); {_outbox.Pending} events wait on disk for it");
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(QueueAsync(stoppingToken), CommandsAsync(stoppingToken), LinkAsync(stoppingToken));

    /// <summary>Tapped messages into the outbox: events to its disk queue, latest values to its map.</summary>
    private async Task QueueAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (topic, payload, how) in _tapped.Reader.ReadAllAsync(ct))
            {
                var message = new SiteMessage(SiteTopics.Mirror(_options.Stand, topic), payload);
                try
                {
                    if (how == Mirroring.Event) _outbox.AddEvent(message);
                    else _outbox.SetLatest(message);
                }
                catch (IOException e)
                {
                    // A full data disk: the site misses this event; the stand's own alarms (system.disk, system.store) say why.
                    _log.LogError("Site uplink: could not queue {Topic} on disk ({Error}); the site misses it", topic, e.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The connection: to one node after the other, sending what is owed while connected.</summary>
    private async Task LinkAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (!ct.IsCancellationRequested)
        {
            if (await ConnectToAnyAsync(ct))
            {
                delay = TimeSpan.FromMilliseconds(500);
                try
                {
                    await SendWhileConnectedAsync(ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // Whatever went wrong, the uplink keeps going: a stand must not lose its site over one bad message.
                    _log.LogError(e, "Site uplink: sending failed; reconnecting");
                    _state = $"{Endpoint(_node)}: {e.Message}";
                }
                if (ct.IsCancellationRequested) return;
                _awaySince ??= _time.GetUtcNow();
                _log.LogWarning("Site uplink: lost node {Node} ({State}); trying the next node", Endpoint(_node), _state);
                continue;
            }
            // No node answered in a whole round: wait a little (growing to 10 s) before the next round.
            try { await Task.Delay(delay, _time, ct); }
            catch (OperationCanceledException) { return; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRoundDelay.Ticks));
        }
    }

    private string Endpoint(int index) => index < 0 ? "none" : $"{_endpoints[index].Host}:{_endpoints[index].Port}";

    /// <summary>One round over the nodes, starting with the one after the node last used (a lost node is tried last).</summary>
    private async Task<bool> ConnectToAnyAsync(CancellationToken ct)
    {
        for (var attempt = 1; attempt <= _endpoints.Count; attempt++)
        {
            var index = (_node + attempt + _endpoints.Count) % _endpoints.Count;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(ConnectTimeout);
                ReplaceClient();
                await _client.ConnectAsync(ClientOptions(_endpoints[index]), timeout.Token);
                // Commands are taken only while connected, and never stored for the stand at the broker (clean session):
                // a command queued while the stand was away would act minutes later, when nobody expects it.
                await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(f => f.WithTopic(SiteTopics.CommandFilter(_options.Stand)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                    .Build(), timeout.Token);
                var away = _awaySince is { } since ? _time.GetUtcNow() - since : TimeSpan.Zero;
                _node = index;
                _awaySince = null;
                _state = $"connected to {Endpoint(index)}";
                _log.LogInformation("Site uplink: connected to node {Node} as stand {Stand} after {Away:0.0} s away; {Pending} events to send",
                    Endpoint(index), _options.Stand, away.TotalSeconds, _outbox.Pending);
                _outbox.MarkAllLatest();
                return true;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or InvalidOperationException or IOException
                                          or System.Net.Sockets.SocketException)
            {
                var reason = e.InnerException?.Message ?? e.Message;
                var level = _state.EndsWith(reason, StringComparison.Ordinal) ? LogLevel.Debug : LogLevel.Warning;
                _state = $"{Endpoint(index)} unreachable: {reason}";
                _log.Log(level, "Site uplink: node {Node} unreachable ({Reason})", Endpoint(index), reason);
            }
        }
        return false;
    }

    /// <summary>Events first, oldest first, each acknowledged before the next; then the latest values owed.</summary>
    private async Task SendWhileConnectedAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && _client.IsConnected)
        {
            try
            {
                if (_outbox.PeekEvent() is { } next)
                {
                    if (await SendAsync(next, ct)) _outbox.Acknowledge(next);
                    continue;
                }
                if (_outbox.TakeLatest() is { } latest)
                {
                    try { await SendAsync(latest, ct); }
                    catch { _outbox.Owe(latest); throw; }
                    continue;
                }
                // Nothing owed: wait for news, looking at the connection at least once a second.
                await _outbox.Signal.WaitAsync(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or InvalidOperationException or IOException)
            {
                _state = $"{Endpoint(_node)} lost: {e.InnerException?.Message ?? e.Message}";
                return;
            }
        }
        if (!_client.IsConnected) _state = $"{Endpoint(_node)} lost";
    }

    /// <summary>
    /// True once the site acknowledged it, false for a message no node could ever take (its topic or size refused by the
    /// client before sending): that one is logged and dropped, so it cannot hold up everything behind it. A lost
    /// connection throws, and the message is sent again on the next node.
    /// </summary>
    private async Task<bool> SendAsync(SiteMessage message, CancellationToken ct)
    {
        try
        {
            await PublishAsync(message, ct);
            return true;
        }
        catch (Exception e) when (e is not (MqttCommunicationException or OperationCanceledException or InvalidOperationException or IOException))
        {
            _log.LogError(e, "Site uplink: {Topic} cannot be sent to the site, dropped", LogText.Escape(message.Topic));
            return false;
        }
    }

    private async Task PublishAsync(SiteMessage message, CancellationToken ct)
    {
        // A node that dies mid-publish never acknowledges: the wait ends with the keep-alive, and the message is sent again to the next node.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.KeepAlive * 2);
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(message.Topic).WithPayload(message.Payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), timeout.Token);
        if (!result.IsSuccess) throw new InvalidOperationException($"the site refused {message.Topic}: {result.ReasonCode} {result.ReasonString}");
    }

    /// <summary>The site's commands, in arrival order, through the stand's own bus as site:&lt;user&gt;; answered on site/&lt;stand&gt;/&lt;device&gt;/reply.</summary>
    private async Task CommandsAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var message in _commands.Reader.ReadAllAsync(ct))
            {
                var payload = message.ConvertPayloadToString() ?? "";
                var (command, error) = SiteTopics.ParseCommand(_options.Stand, message.Topic, payload);
                CommandRequest request;
                CommandResult result;
                if (command is null)
                {
                    // Who sent it is unknown (no user in it): the refusal is audited as the site itself.
                    var local = message.Topic.StartsWith($"site/{_options.Stand}/", StringComparison.Ordinal) ? message.Topic[$"site/{_options.Stand}/".Length..] : message.Topic;
                    request = new CommandRequest(local, BoundedText.Cut(payload, 4096), "site", Security.Role.Viewer, CommandOrigin.Site, ClientId);
                    result = CommandResult.Refused($"site command refused: {error}");
                    await _bus.RecordDeniedAsync(request, result.Error!);
                }
                else
                {
                    request = new CommandRequest(command.Topic, command.Payload, $"site:{command.User}", command.Role, CommandOrigin.Site, ClientId);
                    result = await _bus.ExecuteAsync(request, ct);
                }
                // The reply is an event: kept on disk until the site has it, even across a failover.
                _outbox.AddEvent(new SiteMessage(SiteTopics.Reply(_options.Stand, request.Device), CommandBus.ReplyPayload(request, result)));
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The uplink's name in the stand's audit: one per stand.</summary>
    private string ClientId => $"trackerdcs-{_options.Stand}";

    /// <summary>
    /// The MQTT client id of one connection: the stand's, plus a part new at each connection. RabbitMQ keeps a
    /// subscriber's queue under its client id on the node the client was connected to. After a SIGKILL of that node,
    /// the same client id subscribing on another node was closed right after its CONNACK for 30 s and more (reproduced
    /// twice by the failover test; a new id connected at once), most likely because that queue's record outlived its
    /// node. A fresh id
    /// gets a fresh queue on the new node. Clean sessions keep nothing at the broker, so nothing is lost by it.
    /// </summary>
    private string ConnectionClientId() => SiteClient.ConnectionClientId(ClientId);

    private MqttClientOptions ClientOptions((string Host, int Port) endpoint) => SiteClient.Options(_options, endpoint, ConnectionClientId());

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!_client.IsConnected) return;
        try { await _client.DisconnectAsync(cancellationToken: cancellationToken); }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException) { }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }
}
