using System.Text.Json;
using System.Text.Json.Nodes;
using TrackerDcs.Hardware;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Common;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Web.Site;

/// <summary>
/// A site operator's command to a stand: checked here (the stand's name, a command topic, the site's role), audited in the
/// site's own log, sent as the envelope <c>{"user":…,"role":…,"payload":…}</c> on site/&lt;stand&gt;/&lt;device&gt;/cmd/…,
/// and answered with the stand's reply from site/&lt;stand&gt;/&lt;device&gt;/reply: done, or the stand's refusal and its reason
/// (its roles, interlocks and device checks apply there; its audit names the user site:&lt;user&gt;). The Site page and
/// POST /api/site/stands/{stand}/commands both come here.
/// </summary>
public sealed class SiteCommander
{
    private readonly SiteSubscriber _subscriber;
    private readonly SiteOptions _options;
    private readonly ICommandAudit _audit;
    private readonly ILogger<SiteCommander> _log;
    private readonly Lock _gate = new();
    /// <summary>Who waits for which stand's answer to which command; a stand answers its commands in arrival order.</summary>
    private readonly List<(string Stand, string Topic, TaskCompletionSource<CommandResult> Answer)> _waiting = [];

    public SiteCommander(SiteSubscriber subscriber, SiteOptions options, ICommandAudit audit, ILogger<SiteCommander> log)
    {
        _subscriber = subscriber;
        _options = options;
        _audit = audit;
        _log = log;
        subscriber.Replied += Answer;
    }

    /// <param name="topic">The stand's own command topic, <c>&lt;device&gt;/cmd/…</c> (dcs/cmd/switch/lv).</param>
    public async Task<CommandResult> SendAsync(string stand, string topic, string payload, string user, Role role, string clientId, CancellationToken ct = default)
    {
        var request = new CommandRequest($"site/{stand}/{topic}", payload, user, role, CommandOrigin.Panel, clientId);
        if (Problem(stand, topic, role) is { } problem)
        {
            var refused = CommandResult.Refused(problem);
            _audit.Record(request, refused);
            return refused;
        }
        // Written before it is sent, as the stand's bus does: a command nobody can account for is never sent.
        var row = _audit.Begin(request);
        var result = await AskAsync(stand, topic, payload, user, role, ct);
        _audit.Complete(row, request, result);
        _log.Log(result.Ok ? LogLevel.Information : LogLevel.Warning, "Site command {Topic} {Payload} by {User}: {Result}",
            LogText.Escape(request.Topic), LogText.Escape(payload), user, LogText.Escape(result.ToString()));
        return result;
    }

    /// <summary>
    /// A read of a stand's own records (procedures/cmd/runs, ph2acf/cmd/runs, procedures/cmd/run), for any user of the
    /// site. Sent with the viewer's role whoever asks, so the stand runs only what a viewer may (what only reads) and
    /// refuses anything else; not audited, as reads are not on the stand either.
    /// </summary>
    public Task<CommandResult> QueryAsync(string stand, string topic, string payload, string user, CancellationToken ct = default) =>
        Problem(stand, topic, Role.Viewer, query: true) is { } problem
            ? Task.FromResult(CommandResult.Refused(problem))
            : AskAsync(stand, topic, payload, user, Role.Viewer, ct);

    /// <summary>
    /// A read (<see cref="QueryAsync"/>) of what <paramref name="select"/> picks from the stand's answer, as
    /// <typeparamref name="T"/>; or why there is none, naming <paramref name="what"/> for the page that shows it.
    /// </summary>
    public async Task<(T? Value, string? Problem)> ReadAsync<T>(string stand, string topic, string payload, string user, string what,
        Func<JsonNode?, JsonNode?> select, CancellationToken ct = default)
    {
        var result = await QueryAsync(stand, topic, payload, user, ct);
        if (!result.Ok) return (default, $"The stand's {what} could not be read: {result.Error}");
        try
        {
            return (select(result.Data).Deserialize<T>(Json.Options), null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (default, $"The stand's {what} came in a form this site does not read: {e.Message}");
        }
    }

    /// <summary>Publishes the envelope and waits for the stand's reply, or says why none came.</summary>
    private async Task<CommandResult> AskAsync(string stand, string topic, string payload, string user, Role role, CancellationToken ct)
    {
        var answer = new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = (stand, topic, answer);
        lock (_gate) _waiting.Add(waiter);
        try
        {
            var envelope = new JsonObject { ["user"] = user, ["role"] = role.ToString().ToLowerInvariant(), ["payload"] = payload }.ToJsonString(Json.Options);
            if (await _subscriber.PublishAsync($"site/{stand}/{topic}", envelope, ct) is { } notSent) return CommandResult.Refused(notSent);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.ReplyTimeout);
            try
            {
                return await answer.Task.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The stand may be away (a command sent meanwhile is dropped, never run later) or busy past the timeout.
                return CommandResult.Refused($"no answer from stand {stand} within {_options.ReplyTimeout.TotalSeconds:0} s: it may be away; look at its state before sending again");
            }
        }
        finally
        {
            lock (_gate) _waiting.Remove(waiter);
        }
    }

    private static string? Problem(string stand, string topic, Role role, bool query = false)
    {
        if (!SiteOptions.IsStandName(stand)) return $"'{stand}' is not a stand name (1 to 32 of a-z, 0-9, '-' and '_')";
        var levels = topic.Split('/');
        if (levels.Length < 3 || levels[1] != "cmd" || levels.Any(l => l.Length == 0 || l.Contains('+') || l.Contains('#')))
            return $"'{topic}' is not a stand's command topic <device>/cmd/…";
        if (!query && !role.MaySendCommands()) return $"role {role.ToString().ToLowerInvariant()} may not send commands to a stand";
        return null;
    }

    /// <summary>A stand's reply: completes the oldest command to that stand with that topic.</summary>
    private void Answer(string stand, string payload)
    {
        CommandResult result;
        string? topic;
        try
        {
            var reply = JsonNode.Parse(payload)!.AsObject();
            topic = reply["topic"]?.GetValue<string>();
            result = reply["ok"]?.GetValue<bool>() == true
                ? CommandResult.Success(reply["data"]?.DeepClone())
                : CommandResult.Refused(reply["error"]?.GetValue<string>() ?? "refused without a reason");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException)
        {
            _log.LogWarning("Site instance: stand {Stand} replied what is not {{\"topic\",\"ok\"}}: {Payload}", stand, LogText.Escape(payload));
            return;
        }
        TaskCompletionSource<CommandResult>? answer;
        lock (_gate)
        {
            var index = _waiting.FindIndex(w => w.Stand == stand && w.Topic == topic);
            if (index < 0) return;
            answer = _waiting[index].Answer;
            _waiting.RemoveAt(index);
        }
        answer.TrySetResult(result);
    }
}
