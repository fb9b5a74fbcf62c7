using TrackerDcs.Web.Common;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using TrackerDcs.Web.Security;
using TrackerDcs.Hardware;

namespace TrackerDcs.Web.Commands;

/// <summary>
/// The one path of every device command, from MQTT or from the panel: find the route, authorize,
/// execute (the handler parses and validates against limits and the state machine), audit, answer.
/// Commands to one device run one at a time, in the order they arrived.
/// </summary>
public sealed class CommandBus(ICommandAudit audit, IMqttPublisher publisher, TimeProvider time, ILogger<CommandBus> log)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly List<CommandRoute> _routes = [];
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _deviceQueues = new();
    private readonly ConcurrentDictionary<string, byte> _devices = new();
    private readonly List<Func<CommandRequest, string?>> _guards = [];

    /// <summary>Whether a first topic level is a device with commands; the broker reserves its status topics.</summary>
    public bool IsDevice(string root) => _devices.ContainsKey(root);

    /// <summary>As <see cref="IsDevice(string)"/>, for a root read out of a topic without copying it (the broker asks on every publish).</summary>
    public bool IsDevice(ReadOnlySpan<char> root) => _devices.GetAlternateLookup<ReadOnlySpan<char>>().ContainsKey(root);

    /// <param name="isQuery">The payloads that only read (answered from the last status): not audited, not queued behind commands.</param>
    /// <param name="forwarded">The broker holds this topic's publishes back: the handler passes them on after the checks.</param>
    public void Register(string pattern, CommandHandler handler, Role minimumRole = Role.Operator, Func<string, bool>? isQuery = null, bool forwarded = false)
    {
        lock (_routes) _routes.Add(new CommandRoute(pattern, minimumRole, handler, isQuery, forwarded));
        _devices.TryAdd(pattern.Split('/', 2)[0], 0);
    }

    /// <summary>A check every command passes after authorization (interlocks refuse commands this way): null, or the reason.</summary>
    public void AddGuard(Func<CommandRequest, string?> guard)
    {
        lock (_guards) _guards.Add(guard);
    }

    /// <summary>Whether a command topic has a route (procedure files are checked against the stand's commands this way).</summary>
    public bool HasRoute(string topic) => Find(topic) is not null;

    /// <summary>Whether the broker must hold a publish on this topic back, for its route to pass it on after the checks.</summary>
    public bool Withholds(string topic) => Find(topic)?.Forwarded == true;

    /// <summary>Whether a viewer may send this command (it only reads, e.g. ph2acf/cmd/conditions): the broker lets it through.</summary>
    public bool AllowsViewers(string topic) => Find(topic)?.MinimumRole == Role.Viewer;

    /// <summary>Claims a device root whose commands come later (so its status topics are protected from the start).</summary>
    public void ReserveDevice(string device) => _devices.TryAdd(device, 0);

    public async Task<CommandResult> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken = default)
    {
        CommandResult result;
        var route = Find(request.Topic);
        var query = route?.IsQuery(request.Payload) == true;
        if (route is null)
            result = CommandResult.Refused($"unknown command topic '{request.Topic}'");
        else if (!Allowed(request.Role, route.MinimumRole))
            result = CommandResult.Refused($"role {Name(request.Role)} may not send '{route.Pattern}' (needs {Name(route.MinimumRole)})");
        else if (Guarded(request) is { } reason)
            result = CommandResult.Refused(reason);
        else if (query)
            result = await RunAsync(route, request, queued: false, cancellationToken);
        else
            return await RunAuditedAsync(route, request, cancellationToken);
        await FinishAsync(request, result, audited: !query);
        return result;
    }

    /// <summary>
    /// The audit comes first: a command whose row cannot be written is refused and never reaches the device.
    /// Interlock actions and a procedure's on_abort steps are the exception (safety first): they run, and their row
    /// goes to the journal, or to the log when even that fails.
    /// </summary>
    private async Task<CommandResult> RunAuditedAsync(CommandRoute route, CommandRequest request, CancellationToken cancellationToken)
    {
        long? row;
        try
        {
            row = audit.Begin(request);
        }
        catch (Exception e)
        {
            row = null;
            if (request.Origin != CommandOrigin.Internal && !request.Protective)
            {
                var refused = CommandResult.Refused($"the audit log cannot be written ({e.Message}): the command was not sent");
                LogResult(request, refused, LogLevel.Error);
                if (request.Origin == CommandOrigin.Mqtt) await ReplyAsync(request, refused);
                return refused;
            }
            log.LogError("The audit log cannot be written ({Error}): the protective action {Topic} {Payload} of {User} runs anyway, journaled",
                e.Message, LogText.Escape(request.Topic), LogText.Escape(request.Payload), request.User);
        }
        var started = time.GetUtcNow();
        var result = await RunAsync(route, request, queued: true, cancellationToken);
        try
        {
            if (row is { } id) audit.Complete(id, request, result);
            else audit.Journal(request, result, started);
        }
        catch (Exception e)
        {
            // The last place the record can go: the log, with everything the audit row would hold.
            log.LogCritical(e, "Could not write the audit record of {Topic} {Payload} from {User} ({Origin}, {Client}) at {Time:O}: {Result}",
                LogText.Escape(request.Topic), LogText.Escape(request.Payload), request.User, request.Origin, LogText.Escape(request.ClientId), started,
                LogText.Escape(result.ToString()));
        }
        LogResult(request, result, result.Ok ? LogLevel.Information : LogLevel.Warning);
        if (request.Origin == CommandOrigin.Mqtt) await ReplyAsync(request, result);
        return result;
    }

    /// <summary>A command the broker dropped before it reached the bus (the ACL refused the publish).</summary>
    public Task RecordDeniedAsync(CommandRequest request, string reason) =>
        FinishAsync(request, CommandResult.Refused(reason));

    /// <param name="queued">Commands wait their turn per device; a query reads the last status and waits for none.</param>
    private async Task<CommandResult> RunAsync(CommandRoute route, CommandRequest request, bool queued, CancellationToken cancellationToken)
    {
        // SemaphoreSlim queues async waiters first in, first out: commands to one device keep their order.
        var queue = queued ? _deviceQueues.GetOrAdd(route.Device, _ => new SemaphoreSlim(1, 1)) : null;
        // The answer time runs on the process's clock, so a test can let 30 s pass without waiting for them.
        using var deadline = new CancellationTokenSource(Timeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            if (queue is not null) await queue.WaitAsync(timeout.Token);
            try
            {
                return await route.Handler(request, timeout.Token);
            }
            finally
            {
                queue?.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CommandResult.Refused($"no answer from {route.Device} within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e)
        {
            // A driver fault must not take the bus down; the operator sees what failed.
            log.LogError(e, "Command {Topic} from {User} failed", LogText.Escape(request.Topic), request.User);
            return CommandResult.Refused($"{route.Device} failed: {e.Message}");
        }
    }

    private async Task FinishAsync(CommandRequest request, CommandResult result, bool audited = true)
    {
        try
        {
            if (audited) audit.Record(request, result);
        }
        catch (Exception e)
        {
            log.LogError(e, "Could not write the audit entry of {Topic} from {User}", request.Topic, request.User);
        }
        // A query polled once a second would be 86,400 log lines a day: debug level only.
        LogResult(request, result, !audited ? LogLevel.Debug : result.Ok ? LogLevel.Information : LogLevel.Warning);
        if (request.Origin == CommandOrigin.Mqtt) await ReplyAsync(request, result);
    }

    private void LogResult(CommandRequest request, CommandResult result, LogLevel level) =>
        log.Log(level, "Command {Topic} from {User} ({Origin}, {Client}): {Result}", LogText.Escape(request.Topic), request.User, request.Origin,
            LogText.Escape(request.ClientId), LogText.Escape(result.ToString()));

    private Task ReplyAsync(CommandRequest request, CommandResult result)
    {
        var topic = string.IsNullOrEmpty(request.ResponseTopic) ? $"{request.Device}/reply" : request.ResponseTopic;
        return publisher.PublishAsync(topic, ReplyPayload(request, result), correlationData: request.CorrelationData);
    }

    /// <summary>The answer to a command, <c>{"topic":…,"ok":…,"error"|"data":…}</c>, wherever it is sent (the site uplink sends it too).</summary>
    public static string ReplyPayload(CommandRequest request, CommandResult result)
    {
        var reply = new JsonObject { ["topic"] = Bounded(request.Topic), ["ok"] = result.Ok };
        if (result.Error is not null) reply["error"] = Bounded(result.Error);
        if (result.Data is not null) reply["data"] = result.Data.DeepClone();
        return reply.ToJsonString(Json.Options);
    }

    /// <summary>A topic or a refusal quoting a payload, as a reply carries them: never a 1 MB echo.</summary>
    private static string Bounded(string text) => BoundedText.Cut(text, 4096);

    private string? Guarded(CommandRequest request)
    {
        lock (_guards) return _guards.Select(g => g(request)).FirstOrDefault(r => r is not null);
    }

    private CommandRoute? Find(string topic)
    {
        lock (_routes) return _routes.FirstOrDefault(r => r.Matches(topic));
    }

    private static bool Allowed(Role role, Role minimum) => role switch
    {
        Role.Admin => true,
        Role.Operator => minimum is Role.Operator or Role.Viewer,
        Role.Viewer => minimum is Role.Viewer,
        _ => false,
    };

    private static string Name(Role role) => role.ToString().ToLowerInvariant();
}
