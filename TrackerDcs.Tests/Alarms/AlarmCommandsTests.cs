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
    [InlineData("unshelve", """{"key":"caen.trip:0/hv"}""", "no shelved alarm 'caen.trip:0/hv'")]
    public async Task A_payload_that_is_not_exactly_what_the_command_takes_is_refused_and_changes_nothing(string command, string payload, string error)
    {
        await _manager.ReconcileAsync([new AlarmCondition(AlarmCatalog.ChannelTrip, "0/hv", "tripped")], CancellationToken.None);

        var result = await Send(command, payload);

        Assert.Equal(error, result.Error);
        var alarm = Assert.Single(_manager.Active);
        Assert.Equal((null, null), (alarm.Acknowledged, alarm.ShelvedUntil));
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
}
