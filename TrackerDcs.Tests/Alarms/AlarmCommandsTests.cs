using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Tests.Alarms;

/// <summary>alarms/cmd/ack, shelve and unshelve in process, through the real command bus: parsed strictly, authorized, audited.</summary>
public sealed class AlarmCommandsTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly TempDatabase _database = new();
    private readonly AuditLog _audit;
    private readonly AlarmManager _manager;
    private readonly CommandBus _bus;

    public AlarmCommandsTests()
    {
        var publisher = new RecordingPublisher();
        _audit = new AuditLog(_database.Database, _clock);
        _manager = new AlarmManager(new AlarmHistory(_database.Database, _clock), publisher, _clock, new ListLogger<AlarmManager>());
        _bus = new CommandBus(_audit, publisher, _clock, new ListLogger<CommandBus>());
        AlarmCommands.Register(_bus, _manager);
    }

    public void Dispose() => _database.Dispose();

    private Task<CommandResult> Send(string command, string payload, Role role = Role.Operator, string user = "olivia") =>
        _bus.ExecuteAsync(new CommandRequest($"alarms/cmd/{command}", payload, user, role, CommandOrigin.Mqtt, "client-1"));

    [Theory]
    [InlineData("ack", "", """payload must be {"key":"…"}""")]
    [InlineData("ack", "[]", """payload must be {"key":"…"}""")]
    [InlineData("ack", """{"key":""}""", """payload must be {"key":"…"}""")]
    [InlineData("ack", """{"key":"caen.trip:0/hv","by":"admin"}""", """payload must be {"key":"…"}""")]
    [InlineData("shelve", """{"key":"caen.trip:0/hv","reason":"cabling"}""", """payload must be {"key":"…","minutes":60,"reason":"…"}""")]
    [InlineData("shelve", """{"key":"caen.trip:0/hv","minutes":"60","reason":"cabling"}""", """payload must be {"key":"…","minutes":60,"reason":"…"}""")]
    [InlineData("shelve", """{"key":"caen.trip:0/hv","minutes":60}""", "shelving needs a reason")]
    [InlineData("shelve", """{"key":"caen.trip:0/hv","minutes":NaN,"reason":"cabling"}""", """payload must be {"key":"…","minutes":60,"reason":"…"}""")]
    [InlineData("unshelve", """{"key":"caen.trip:0/hv"}""", "no shelved alarm 'caen.trip:0/hv'")]
    public async Task A_payload_that_is_not_exactly_what_the_command_takes_is_refused_and_changes_nothing(string command, string payload, string error)
    {
        await _manager.ReconcileAsync([new AlarmCondition(AlarmCatalog.ChannelTrip, "0/hv", "tripped")], CancellationToken.None);

        var result = await Send(command, payload);

        Assert.Equal(error, result.Error);
        var alarm = Assert.Single(_manager.Active);
        Assert.Equal((null, null), (alarm.Acknowledged, alarm.ShelvedUntil));
    }

    [Theory]
    [InlineData("1e308")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("10081")]
    public async Task A_shelve_duration_outside_0_to_7_days_is_refused_naming_the_bound_and_logs_no_failure(string minutes)
    {
        var log = new ListLogger<CommandBus>();
        var bus = new CommandBus(_audit, new RecordingPublisher(), _clock, log);
        AlarmCommands.Register(bus, _manager);
        await _manager.ReconcileAsync([new AlarmCondition(AlarmCatalog.ChannelTrip, "0/hv", "tripped")], CancellationToken.None);

        var result = await bus.ExecuteAsync(new CommandRequest("alarms/cmd/shelve", $$"""{"key":"caen.trip:0/hv","minutes":{{minutes}},"reason":"cabling"}""",
            "olivia", Role.Operator, CommandOrigin.Mqtt, "client-1"));

        Assert.Equal($"a shelve lasts more than 0 and at most 7 days (10080 minutes), got {double.Parse(minutes, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture)} minutes", result.Error);
        Assert.Null(Assert.Single(_manager.Active).ShelvedUntil);
        // A refusal, not a fault: nothing at error level, no stack trace.
        Assert.DoesNotContain(log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task Operators_acknowledge_and_shelve_as_themselves_and_viewers_may_not()
    {
        await _manager.ReconcileAsync([new AlarmCondition(AlarmCatalog.ChannelTrip, "0/hv", "tripped")], CancellationToken.None);

        var viewer = await Send("ack", """{"key":"caen.trip:0/hv"}""", Role.Viewer, "victor");
        Assert.Equal("role viewer may not send 'alarms/cmd/ack' (needs operator)", viewer.Error);

        Assert.True((await Send("ack", """{"KEY":"caen.trip:0/hv"}""")).Ok);
        Assert.True((await Send("shelve", """{"key":"caen.trip:0/hv","minutes":30,"reason":"re-cabling"}""", Role.Admin, "oscar")).Ok);

        var alarm = Assert.Single(_manager.Active);
        Assert.Equal(("olivia", "oscar", _clock.GetUtcNow().AddMinutes(30)), (alarm.AcknowledgedBy, alarm.ShelvedBy, alarm.ShelvedUntil));
        Assert.Equal([("oscar", true), ("olivia", true), ("victor", false)],
            _audit.Query(_clock.GetUtcNow().AddHours(-1), _clock.GetUtcNow().AddHours(1)).Select(r => (r.User, r.Ok)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("""{"keys":[]}""")]
    [InlineData("""{"keys":[""]}""")]
    [InlineData("""{"key":"caen.trip:0/hv"}""")]
    public async Task Acknowledge_all_takes_the_list_of_keys_it_acknowledges(string payload)
    {
        await _manager.ReconcileAsync([new AlarmCondition(AlarmCatalog.ChannelTrip, "0/hv", "tripped")], CancellationToken.None);

        var result = await Send("ack_all", payload);

        Assert.Equal("""payload must be {"keys":["…", …]}: the alarms to acknowledge""", result.Error);
        Assert.Null(Assert.Single(_manager.Active).Acknowledged);
    }

    [Fact]
    public async Task Acknowledge_all_is_one_audited_operator_command()
    {
        await _manager.ReconcileAsync([new AlarmCondition(AlarmCatalog.ChannelTrip, "0/hv", "tripped"), new AlarmCondition(AlarmCatalog.ChannelTrip, "1/hv", "tripped")], CancellationToken.None);

        Assert.Equal("role viewer may not send 'alarms/cmd/ack_all' (needs operator)", (await Send("ack_all", """{"keys":["caen.trip:0/hv"]}""", Role.Viewer, "victor")).Error);
        Assert.True((await Send("ack_all", """{"keys":["caen.trip:0/hv","caen.trip:1/hv"]}""")).Ok);

        Assert.All(_manager.Active, a => Assert.Equal("olivia", a.AcknowledgedBy));
        Assert.Equal([("olivia", "alarms/cmd/ack_all", true), ("victor", "alarms/cmd/ack_all", false)],
            _audit.Query(_clock.GetUtcNow().AddHours(-1), _clock.GetUtcNow().AddHours(1)).Select(r => (r.User, r.Topic, r.Ok)));
    }
}
