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
public sealed class CommandBus(ICommandAudit audit, IMqttPublisher publisher, ILogger<CommandBus> log, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly List<CommandRoute> _routes = [];
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _deviceQueues = new();
    private readonly ConcurrentDictionary<string, byte> _devices = new();
    private readonly List<Func<CommandRequest, string?>> _guards = [];

    /// <summary>Whether a first topic level is a device with commands; the broker reserves its status topics.</summary>
    public bool IsDevice(string root) => _devices.ContainsKey(root);

    public void Register(string pattern, CommandHandler handler, Role minimumRole = Role.Operator)
    {
        lock (_routes) _routes.Add(new CommandRoute(pattern, minimumRole, handler));
        _devices.TryAdd(pattern.Split('/', 2)[0], 0);
    }

    /// <summary>A check every command passes after authorization (interlocks refuse commands this way): null, or the reason.</summary>
    public void AddGuard(Func<CommandRequest, string?> guard)
    {
        lock (_guards) _guards.Add(guard);
    }

    /// <summary>Claims a device root whose commands come later (so its status topics are protected from the start).</summary>
    public void ReserveDevice(string device) => _devices.TryAdd(device, 0);

    public async Task<CommandResult> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken = default)
    {
        CommandResult result;
        var route = Find(request.Topic);
        if (route is null)
            result = CommandResult.Refused($"unknown command topic '{request.Topic}'");
        else if (!Allowed(request.Role, route.MinimumRole))
            result = CommandResult.Refused($"role {Name(request.Role)} may not send '{route.Pattern}' (needs {Name(route.MinimumRole)})");
        else if (Guarded(request) is { } reason)
            result = CommandResult.Refused(reason);
        else
            return await RunAuditedAsync(route, request, cancellationToken);
        await FinishAsync(request, result);
        return result;
    }

    /// <summary>
    /// The audit comes first: a command whose row cannot be written is refused and never reaches the device.
    /// Interlock actions are the exception (safety first): they run, and their row goes to the journal, or
    /// to the log when even that fails.
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
            if (request.Origin != CommandOrigin.Internal)
            {
                var refused = CommandResult.Refused($"the audit log cannot be written ({e.Message}): the command was not sent");
                log.LogError("Command {Topic} from {User} ({Origin}, {Client}) refused: {Result}", request.Topic, request.User, request.Origin, request.ClientId, refused);
                if (request.Origin == CommandOrigin.Mqtt) await ReplyAsync(request, refused);
                return refused;
            }
            log.LogError("The audit log cannot be written ({Error}): the interlock action {Topic} {Payload} runs anyway, journaled", e.Message, request.Topic, request.Payload);
        }
        var started = _time.GetUtcNow();
        var result = await RunInOrderAsync(route, request, cancellationToken);
        try
        {
            if (row is { } id) audit.Complete(id, request, result);
            else audit.Journal(request, result, started);
        }
        catch (Exception e)
        {
            // The last place the record can go: the log, with everything the audit row would hold.
            log.LogCritical(e, "Could not write the audit record of {Topic} {Payload} from {User} ({Origin}, {Client}) at {Time:O}: {Result}",
                request.Topic, request.Payload, request.User, request.Origin, request.ClientId, started, result);
        }
        LogResult(request, result);
        if (request.Origin == CommandOrigin.Mqtt) await ReplyAsync(request, result);
        return result;
    }

    /// <summary>A command the broker dropped before it reached the bus (the ACL refused the publish).</summary>
    public Task RecordDeniedAsync(CommandRequest request, string reason) =>
        FinishAsync(request, CommandResult.Refused(reason));

    private async Task<CommandResult> RunInOrderAsync(CommandRoute route, CommandRequest request, CancellationToken cancellationToken)
    {
        // SemaphoreSlim queues async waiters first in, first out: commands to one device keep their order.
        var queue = _deviceQueues.GetOrAdd(route.Device, _ => new SemaphoreSlim(1, 1));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await queue.WaitAsync(timeout.Token);
            try
            {
                return await route.Handler(request, timeout.Token);
            }
            finally
            {
                queue.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CommandResult.Refused($"no answer from {route.Device} within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e)
        {
            // A driver fault must not take the bus down; the operator sees what failed.
            log.LogError(e, "Command {Topic} from {User} failed", request.Topic, request.User);
            return CommandResult.Refused($"{route.Device} failed: {e.Message}");
        }
    }

    private async Task FinishAsync(CommandRequest request, CommandResult result)
    {
        try
        {
            audit.Record(request, result);
        }
        catch (Exception e)
        {
            log.LogError(e, "Could not write the audit entry of {Topic} from {User}", request.Topic, request.User);
        }
        LogResult(request, result);
        if (request.Origin == CommandOrigin.Mqtt) await ReplyAsync(request, result);
    }

    private void LogResult(CommandRequest request, CommandResult result) =>
        log.Log(result.Ok ? LogLevel.Information : LogLevel.Warning,
            "Command {Topic} from {User} ({Origin}, {Client}): {Result}", request.Topic, request.User, request.Origin, request.ClientId, result);

    private Task ReplyAsync(CommandRequest request, CommandResult result)
    {
        var reply = new JsonObject { ["topic"] = request.Topic, ["ok"] = result.Ok };
        if (result.Error is not null) reply["error"] = result.Error;
        if (result.Data is not null) reply["data"] = result.Data.DeepClone();
        var topic = string.IsNullOrEmpty(request.ResponseTopic) ? $"{request.Device}/reply" : request.ResponseTopic;
        return publisher.PublishAsync(topic, reply.ToJsonString(Json.Options), correlationData: request.CorrelationData);
    }

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
