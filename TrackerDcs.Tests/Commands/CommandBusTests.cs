using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Tests.Commands;

/// <summary>
/// The command bus in process, with the real audit log in a SQLite file and a fake clock: routing, authorization
/// per role, guards, the answer time, the order of one device's commands, replies and audit rows.
/// </summary>
public sealed class CommandBusTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly TempDatabase _database = new();
    private readonly RecordingPublisher _publisher = new();
    private readonly ListLogger<CommandBus> _log = new();
    private readonly AuditLog _audit;
    private readonly CommandBus _bus;

    public CommandBusTests()
    {
        _audit = new AuditLog(_database.Database, _clock);
        _bus = new CommandBus(_audit, _publisher, _clock, _log);
    }

    public void Dispose() => _database.Dispose();

    private static CommandRequest Request(string topic, string payload = "", Role role = Role.Operator, CommandOrigin origin = CommandOrigin.Panel,
        string user = "olivia", string? responseTopic = null, byte[]? correlation = null) =>
        new(topic, payload, user, role, origin, "client-1", responseTopic, correlation);

    private IReadOnlyList<AuditEntry> AuditRows() => _audit.Query(_clock.GetUtcNow().AddHours(-1), _clock.GetUtcNow().AddHours(1));

    private static CommandHandler Answer(CommandResult result) => (_, _) => Task.FromResult(result);

    [Fact]
    public async Task An_unknown_topic_is_refused_audited_and_answered_on_the_device_reply_topic()
    {
        var result = await _bus.ExecuteAsync(Request("dcs/cmd/explode", "now", origin: CommandOrigin.Mqtt));

        Assert.False(result.Ok);
        Assert.Equal("unknown command topic 'dcs/cmd/explode'", result.Error);
        var row = Assert.Single(AuditRows());
        Assert.Equal(("olivia", "client-1", "mqtt", "dcs/cmd/explode", "now", false), (row.User, row.ClientId, row.Origin, row.Topic, row.Payload, row.Ok));
        Assert.Equal("refused: unknown command topic 'dcs/cmd/explode'", row.Result);
        var reply = Assert.Single(_publisher.Messages);
        Assert.Equal("dcs/reply", reply.Topic);
        var json = JsonDocument.Parse(reply.Payload).RootElement;
        Assert.Equal("dcs/cmd/explode", json.GetProperty("topic").GetString());
        Assert.False(json.GetProperty("ok").GetBoolean());
        Assert.Equal("unknown command topic 'dcs/cmd/explode'", json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(Role.Viewer, Role.Viewer, true)]
    [InlineData(Role.Viewer, Role.Operator, false)]
    [InlineData(Role.Viewer, Role.Admin, false)]
    [InlineData(Role.Operator, Role.Viewer, true)]
    [InlineData(Role.Operator, Role.Operator, true)]
    [InlineData(Role.Operator, Role.Admin, false)]
    [InlineData(Role.Admin, Role.Viewer, true)]
    [InlineData(Role.Admin, Role.Operator, true)]
    [InlineData(Role.Admin, Role.Admin, true)]
    [InlineData(Role.Device, Role.Viewer, false)]
    [InlineData(Role.Device, Role.Operator, false)]
    public async Task A_role_may_send_what_its_rank_allows_and_a_device_account_sends_no_command(Role role, Role minimum, bool allowed)
    {
        var calls = 0;
        _bus.Register("dcs/cmd/clear", (_, _) => { calls++; return Task.FromResult(CommandResult.Done); }, minimum);

        var result = await _bus.ExecuteAsync(Request("dcs/cmd/clear", role: role, user: "someone"));

        Assert.Equal(allowed, result.Ok);
        Assert.Equal(allowed ? 1 : 0, calls);
        if (!allowed)
            Assert.Equal($"role {role.ToString().ToLowerInvariant()} may not send 'dcs/cmd/clear' (needs {minimum.ToString().ToLowerInvariant()})", result.Error);
        var row = Assert.Single(AuditRows());
        Assert.Equal(("someone", allowed), (row.User, row.Ok));
    }

    [Fact]
    public async Task A_guard_refuses_with_its_reason_after_authorization_and_the_handler_never_runs()
    {
        var calls = 0;
        var consulted = new List<string>();
        _bus.Register("dcs/cmd/switch/hv", (_, _) => { calls++; return Task.FromResult(CommandResult.Done); });
        _bus.AddGuard(r => { consulted.Add("pass"); return null; });
        _bus.AddGuard(r => { consulted.Add("interlock"); return r.Payload == "on" ? "interlock 'cooling' is active" : null; });
        _bus.AddGuard(r => { consulted.Add("later"); return "a later guard"; });

        // Authorization comes first: a viewer hears about its role, not about the interlock.
        var viewer = await _bus.ExecuteAsync(Request("dcs/cmd/switch/hv", "on", Role.Viewer));
        Assert.StartsWith("role viewer may not send", viewer.Error);
        Assert.Empty(consulted);

        var refused = await _bus.ExecuteAsync(Request("dcs/cmd/switch/hv", "on"));
        Assert.Equal("interlock 'cooling' is active", refused.Error);
        Assert.Equal(["pass", "interlock"], consulted);   // the first reason wins; later guards are not asked
        Assert.Equal(0, calls);

        var off = await _bus.ExecuteAsync(Request("dcs/cmd/switch/hv", "off"));
        Assert.Equal("a later guard", off.Error);
        Assert.Equal(0, calls);
        Assert.Equal(["refused: a later guard", "refused: interlock 'cooling' is active", "refused: role viewer may not send 'dcs/cmd/switch/hv' (needs operator)"],
            AuditRows().Select(r => r.Result));
    }

    [Fact]
    public async Task A_handler_that_throws_is_a_refusal_naming_the_device_and_the_device_keeps_taking_commands()
    {
        _bus.Register("julabo/cmd/start", (_, _) => throw new IOException("serial port vanished"));
        _bus.Register("julabo/cmd/stop", Answer(CommandResult.Done));

        var failed = await _bus.ExecuteAsync(Request("julabo/cmd/start"));
        Assert.Equal("julabo failed: serial port vanished", failed.Error);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Text.Contains("Command julabo/cmd/start from olivia failed"));

        Assert.True((await _bus.ExecuteAsync(Request("julabo/cmd/stop"))).Ok);
        Assert.Equal([true, false], AuditRows().Select(r => r.Ok));
    }

    [Fact]
    public async Task A_device_that_does_not_answer_within_30_s_of_the_clock_is_refused_and_frees_its_queue()
    {
        var entered = new TaskCompletionSource();
        _bus.Register("dcs/cmd/refresh", async (_, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return CommandResult.Done;
        });
        _bus.Register("dcs/cmd/clear", Answer(CommandResult.Done));

        var hung = _bus.ExecuteAsync(Request("dcs/cmd/refresh"));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromSeconds(10));
        var queued = _bus.ExecuteAsync(Request("dcs/cmd/clear"));
        _clock.Advance(TimeSpan.FromSeconds(19.9));
        Assert.False(hung.IsCompleted);
        Assert.False(queued.IsCompleted);

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        var result = await hung.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("no answer from dcs within 30 s", result.Error);
        // The command behind it has 10 s of its own 30 s left: it runs once the queue is free.
        Assert.True((await queued.WaitAsync(TimeSpan.FromSeconds(10))).Ok);
        Assert.Equal(["ok", "refused: no answer from dcs within 30 s"], AuditRows().Select(r => r.Result));
    }

    [Fact]
    public async Task Commands_to_one_device_run_one_at_a_time_in_arrival_order_while_another_device_is_served()
    {
        var release = new TaskCompletionSource();
        var order = new List<string>();
        var running = 0;
        var overlap = false;
        _bus.Register("dcs/cmd/setv/hv/+", async (r, _) =>
        {
            if (Interlocked.Increment(ref running) > 1) overlap = true;
            lock (order) order.Add(r.Payload);
            if (r.Payload == "1") await release.Task;
            Interlocked.Decrement(ref running);
            return CommandResult.Done;
        });
        _bus.Register("julabo/cmd/stop", Answer(CommandResult.Done));

        var commands = Enumerable.Range(1, 5).Select(i => _bus.ExecuteAsync(Request($"dcs/cmd/setv/hv/{i % 2}", $"{i}"))).ToList();
        Assert.True((await _bus.ExecuteAsync(Request("julabo/cmd/stop")).WaitAsync(TimeSpan.FromSeconds(10))).Ok);
        Assert.All(commands, c => Assert.False(c.IsCompleted));

        release.SetResult();
        await Task.WhenAll(commands).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["1", "2", "3", "4", "5"], order);
        Assert.False(overlap);
    }

    [Fact]
    public async Task An_mqtt_command_is_answered_on_its_response_topic_with_its_correlation_data_and_result_data()
    {
        _bus.Register("ph2acf/cmd/start", Answer(CommandResult.Success(new System.Text.Json.Nodes.JsonObject { ["run"] = 7 })));
        byte[] correlation = [1, 2, 3];

        var result = await _bus.ExecuteAsync(Request("ph2acf/cmd/start", "{}", origin: CommandOrigin.Mqtt, responseTopic: "client/answers", correlation: correlation));

        Assert.True(result.Ok);
        var reply = Assert.Single(_publisher.Messages);
        Assert.Equal("client/answers", reply.Topic);
        Assert.Equal(correlation, reply.CorrelationData);
        Assert.False(reply.Retain);
        Assert.Equal("""{"topic":"ph2acf/cmd/start","ok":true,"data":{"run":7}}""", reply.Payload);
    }

    [Fact]
    public async Task Panel_and_internal_commands_get_no_mqtt_reply_but_are_audited_with_their_origin()
    {
        _bus.Register("dcs/cmd/switch/hv", Answer(CommandResult.Done));

        await _bus.ExecuteAsync(Request("dcs/cmd/switch/hv", "off"));
        await _bus.ExecuteAsync(new CommandRequest("dcs/cmd/switch/hv", "off", "interlock", Role.Admin, CommandOrigin.Internal, "interlock:cooling"));

        Assert.Empty(_publisher.Messages);
        Assert.Equal([("interlock", "internal", "interlock:cooling"), ("olivia", "panel", "client-1")],
            AuditRows().Select(r => (r.User, r.Origin, r.ClientId)));
    }

    [Fact]
    public async Task A_command_whose_audit_row_cannot_be_written_is_refused_with_the_reason_and_never_reaches_the_device()
    {
        var audit = new BrokenAudit();
        var bus = new CommandBus(audit, _publisher, _clock, _log);
        var calls = 0;
        bus.Register("dcs/cmd/switch/hv", (_, _) => { calls++; return Task.FromResult(CommandResult.Done); });

        var result = await bus.ExecuteAsync(Request("dcs/cmd/switch/hv", "off", origin: CommandOrigin.Mqtt));

        Assert.Equal("the audit log cannot be written (No space left on device): the command was not sent", result.Error);
        Assert.Equal(0, calls);
        Assert.Empty(audit.Journaled);
        Assert.Contains("\"ok\":false", Assert.Single(_publisher.Messages, m => m.Topic == "dcs/reply").Payload);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Text.Contains("Command dcs/cmd/switch/hv from olivia") && e.Text.Contains("the command was not sent"));
    }

    [Fact]
    public async Task An_interlock_action_runs_although_its_row_cannot_be_written_and_is_journaled_with_its_start_time()
    {
        var audit = new BrokenAudit();
        var bus = new CommandBus(audit, _publisher, _clock, _log);
        var calls = 0;
        bus.Register("dcs/cmd/switch/hv", (_, _) => { calls++; _clock.Advance(TimeSpan.FromSeconds(2)); return Task.FromResult(CommandResult.Done); });
        var started = _clock.GetUtcNow();
        var action = new CommandRequest("dcs/cmd/switch/hv", "off", "interlock", Role.Admin, CommandOrigin.Internal, "interlock:cooling");

        Assert.True((await bus.ExecuteAsync(action)).Ok);

        Assert.Equal(1, calls);
        Assert.Equal([(action, true, started)], audit.Journaled.Select(j => (j.Request, j.Result.Ok, j.Time)));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Text.Contains("the protective action dcs/cmd/switch/hv off of interlock runs anyway, journaled"));
    }

    [Fact]
    public async Task A_procedures_on_abort_step_runs_like_an_interlock_action_when_the_audit_cannot_be_written_and_its_other_steps_do_not()
    {
        var audit = new BrokenAudit();
        var bus = new CommandBus(audit, _publisher, _clock, _log);
        var calls = 0;
        bus.Register("dcs/cmd/switch/hv", (_, _) => { calls++; return Task.FromResult(CommandResult.Done); });
        var step = new CommandRequest("dcs/cmd/switch/hv", "off", "procedure:iv-scan for olivia", Role.Operator, CommandOrigin.Procedure, "procedure:iv-scan#4");

        Assert.StartsWith("the audit log cannot be written", (await bus.ExecuteAsync(step)).Error);
        Assert.Equal(0, calls);

        var onAbort = step with { Protective = true };
        Assert.True((await bus.ExecuteAsync(onAbort)).Ok);
        Assert.Equal(1, calls);
        Assert.Equal([onAbort], audit.Journaled.Select(j => j.Request));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Text.Contains("the protective action dcs/cmd/switch/hv off of procedure:iv-scan for olivia runs anyway, journaled"));
    }

    [Fact]
    public async Task When_even_the_journal_cannot_be_written_the_record_goes_to_the_log_whole()
    {
        var bus = new CommandBus(new BrokenAudit(journalFails: true), _publisher, _clock, _log);
        bus.Register("dcs/cmd/switch/lv", Answer(CommandResult.Done));

        var result = await bus.ExecuteAsync(new CommandRequest("dcs/cmd/switch/lv", "off", "interlock", Role.Admin, CommandOrigin.Internal, "interlock:dew"));

        Assert.True(result.Ok);
        var record = Assert.Single(_log.Entries, e => e.Level == LogLevel.Critical);
        Assert.Contains($"Could not write the audit record of dcs/cmd/switch/lv off from interlock (Internal, interlock:dew) at {_clock.GetUtcNow():O}: ok", record.Text);
    }

    [Fact]
    public async Task A_refusal_is_answered_when_its_audit_row_cannot_be_written()
    {
        var bus = new CommandBus(new BrokenAudit(), _publisher, _clock, _log);

        var result = await bus.ExecuteAsync(Request("dcs/cmd/explode", origin: CommandOrigin.Mqtt));

        Assert.Equal("unknown command topic 'dcs/cmd/explode'", result.Error);
        Assert.Single(_publisher.Messages, m => m.Topic == "dcs/reply" && m.Payload.Contains("unknown command topic"));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Text.Contains("Could not write the audit entry of dcs/cmd/explode from olivia"));
    }

    [Fact]
    public async Task A_command_row_is_written_before_the_command_runs_and_completed_with_its_answer()
    {
        IReadOnlyList<AuditEntry> during = [];
        _bus.Register("dcs/cmd/clear", (_, _) => { during = AuditRows(); return Task.FromResult(CommandResult.Refused("nothing to clear")); });
        List<AuditEntry> announced = [];
        _audit.Appended += announced.Add;

        await _bus.ExecuteAsync(Request("dcs/cmd/clear"));

        Assert.Equal((false, AuditLog.Pending), (Assert.Single(during).Ok, during[0].Result));
        var row = Assert.Single(AuditRows());
        Assert.Equal((during[0].Id, "refused: nothing to clear"), (row.Id, row.Result));
        Assert.Equal([row], announced);   // the panel hears of the finished row only
    }

    /// <summary>A database on a full disk: no row can be written; the journal works unless told otherwise.</summary>
    private sealed class BrokenAudit(bool journalFails = false) : ICommandAudit
    {
        public List<(CommandRequest Request, CommandResult Result, DateTimeOffset Time)> Journaled { get; } = [];
        public long Begin(CommandRequest request) => throw new IOException("No space left on device");
        public void Complete(long id, CommandRequest request, CommandResult result) => throw new InvalidOperationException("no row was begun");
        public void Record(CommandRequest request, CommandResult result) => throw new IOException("No space left on device");

        public void Journal(CommandRequest request, CommandResult result, DateTimeOffset time)
        {
            if (journalFails) throw new IOException("the audit journal is full");
            Journaled.Add((request, result, time));
        }
    }

    [Fact]
    public async Task A_command_the_broker_denied_is_audited_and_answered_as_refused()
    {
        await _bus.RecordDeniedAsync(Request("dcs/cmd/switch/hv", "on", Role.Viewer, CommandOrigin.Mqtt, user: "victor"), "not authorized to publish");

        var row = Assert.Single(AuditRows());
        Assert.Equal(("victor", false, "refused: not authorized to publish"), (row.User, row.Ok, row.Result));
        Assert.Contains("\"error\":\"not authorized to publish\"", Assert.Single(_publisher.Messages).Payload);
    }

    [Fact]
    public async Task Wildcards_match_one_level_and_a_device_root_is_claimed_by_routes_or_reservation()
    {
        var channels = new List<string>();
        _bus.Register("dcs/cmd/setv/hv/+", (r, _) => { channels.Add(CommandRoute.Level(r.Topic, 4)); return Task.FromResult(CommandResult.Done); });
        _bus.ReserveDevice("ph2acf");

        Assert.True((await _bus.ExecuteAsync(Request("dcs/cmd/setv/hv/3", "100"))).Ok);
        Assert.False((await _bus.ExecuteAsync(Request("dcs/cmd/setv/hv", "100"))).Ok);
        Assert.False((await _bus.ExecuteAsync(Request("dcs/cmd/setv/hv/3/x", "100"))).Ok);
        Assert.Equal(["3"], channels);
        Assert.True(_bus.IsDevice("dcs"));
        Assert.True(_bus.IsDevice("ph2acf"));
        Assert.False(_bus.IsDevice("ESP01"));
    }

    [Fact]
    public async Task A_huge_payload_is_cut_in_the_audit_row_and_says_how_long_it_was()
    {
        _bus.Register("dcs/cmd/reload", Answer(CommandResult.Refused("takes no payload")));
        var payload = new string('x', 10_000);

        await _bus.ExecuteAsync(Request("dcs/cmd/reload", payload));

        var row = Assert.Single(AuditRows());
        Assert.Equal(new string('x', 4096) + "…(10000 bytes)", row.Payload);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds(), row.Time.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task A_huge_topic_payload_and_refusal_are_cut_in_the_reply_the_audit_and_the_log_saying_how_long_they_were()
    {
        var payload = new string('p', 1_048_576);
        var topic = "dcs/cmd/" + new string('t', 60_000);
        _bus.Register("dcs/cmd/+", (r, _) => Task.FromResult(CommandResult.Refused($"payload '{r.Payload}' is not a voltage")));

        await _bus.ExecuteAsync(Request(topic, payload, origin: CommandOrigin.Mqtt));

        var row = Assert.Single(AuditRows());
        Assert.EndsWith("…(1048576 bytes)", row.Payload);
        Assert.EndsWith("…(60008 bytes)", row.Topic);
        Assert.EndsWith($"…({("refused: payload '" + payload + "' is not a voltage").Length} bytes)", row.Result);
        Assert.InRange(row.Payload.Length, 4096, 4096 + 20);
        Assert.InRange(row.Topic.Length, 1024, 1024 + 20);
        Assert.InRange(row.Result.Length, 4096, 4096 + 20);
        var reply = Assert.Single(_publisher.Messages);
        Assert.InRange(reply.Payload.Length, 1, 10_000);
        Assert.All(_log.Entries, e => Assert.InRange(e.Text.Length, 1, 10_000));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("  ", true)]
    [InlineData("{}", true)]
    [InlineData("garbage", false)]
    [InlineData("""{"nonsense":true}""", false)]
    public async Task A_command_that_takes_no_payload_refuses_one_naming_the_command(string payload, bool runs)
    {
        var ran = false;
        _bus.Register("dcs/cmd/refresh", NoPayload.Handler("refresh", (_, _) => { ran = true; return Task.FromResult(CommandResult.Success()); }));

        var result = await _bus.ExecuteAsync(Request("dcs/cmd/refresh", payload));

        Assert.Equal(runs, ran);
        Assert.Equal(runs ? null : $"refresh takes no payload, got '{payload}'", result.Error);
    }

    [Fact]
    public void Only_the_commands_registered_for_viewers_are_open_to_them()
    {
        _bus.Register("ph2acf/cmd/conditions", Answer(CommandResult.Success()), Role.Viewer);
        _bus.Register("ph2acf/cmd/start", Answer(CommandResult.Success()));

        Assert.True(_bus.AllowsViewers("ph2acf/cmd/conditions"));
        Assert.False(_bus.AllowsViewers("ph2acf/cmd/start"));
        Assert.False(_bus.AllowsViewers("ph2acf/cmd/unknown"));
    }
}
