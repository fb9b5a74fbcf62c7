using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Alarms;

namespace TrackerDcs.Tests.Alarms;

/// <summary>
/// The active alarms in process, on a fake clock: raised and cleared with their conditions (a cleared condition ends
/// its alarm, unless the alarm latches: then it stays, cleared and unacknowledged, until someone acknowledges it),
/// acknowledged once, shelved for a bounded time that ends by itself; every change in the history, on alarms/events
/// and in the retained alarms/active.
/// </summary>
public sealed class AlarmManagerTests : IDisposable
{
    private static readonly AlarmCondition Trip = new(AlarmCatalog.ChannelTrip, "0/hv", "HV of channel 0 tripped");
    private static readonly AlarmCondition Manual = new(AlarmCatalog.ChillerManual, "julabo", "chiller is in manual mode");
    private static readonly AlarmCondition Dew = new(AlarmCatalog.DewPointMargin, "stand", "dew-point margin 1.0 °C");

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly TempDatabase _database = new();
    private readonly RecordingPublisher _publisher = new();
    private readonly AlarmHistory _history;
    private readonly AlarmManager _manager;
    private readonly List<string> _raised = [];

    public AlarmManagerTests()
    {
        _history = new AlarmHistory(_database.Database, _clock);
        _manager = new AlarmManager(_history, _publisher, _clock, new ListLogger<AlarmManager>());
        _manager.Raised += a => _raised.Add(a.Key);
    }

    public void Dispose() => _database.Dispose();

    private Task Reconcile(params AlarmCondition[] conditions) => _manager.ReconcileAsync(conditions, CancellationToken.None);

    private Alarm Active(string key) => Assert.Single(_manager.Active, a => a.Key == key);

    private List<(string Event, string Key, string By)> Events() => [.. _publisher.Payloads("alarms/events").Select(p => JsonDocument.Parse(p).RootElement)
        .Select(e => (e.GetProperty("event").GetString()!, e.GetProperty("key").GetString()!, e.GetProperty("by").GetString()!))];

    private List<string> RetainedKeys() => [.. JsonDocument.Parse(_publisher.Messages.Last(m => m.Topic == "alarms/active" && m.Retain).Payload)
        .RootElement.EnumerateArray().Select(a => a.GetProperty("key").GetString()!)];

    private IReadOnlyList<AlarmHistory.Entry> History() => _history.Query(_clock.GetUtcNow().AddDays(-8), _clock.GetUtcNow().AddDays(1));

    [Fact]
    public async Task A_condition_raises_its_alarm_once_and_its_end_clears_it()
    {
        await Reconcile(Trip);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await Reconcile(Trip);

        var alarm = Active("caen.trip:0/hv");
        Assert.Equal((AlarmSeverity.Major, "HV of channel 0 tripped", _clock.GetUtcNow().AddSeconds(-5)), (alarm.Severity, alarm.Message, alarm.Raised));
        Assert.Equal(["caen.trip:0/hv"], _raised);
        Assert.Equal([("raised", "caen.trip:0/hv", "dcs")], Events());
        Assert.Equal(["caen.trip:0/hv"], RetainedKeys());

        await Reconcile();
        Assert.Empty(_manager.Active);
        Assert.Equal([("raised", "caen.trip:0/hv", "dcs"), ("cleared", "caen.trip:0/hv", "dcs")], Events());
        Assert.Empty(RetainedKeys());
        Assert.Equal(["cleared", "raised"], History().Select(h => h.Event));
    }

    [Fact]
    public async Task Each_event_carries_the_time_it_happened_so_that_two_alike_events_differ_from_one_sent_twice()
    {
        var raisedAt = _clock.GetUtcNow();
        await Reconcile(Trip);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await Reconcile();

        var times = _publisher.Payloads("alarms/events").Select(p => JsonDocument.Parse(p).RootElement)
            .Select(e => (e.GetProperty("event").GetString(), e.GetProperty("at").GetDateTimeOffset())).ToList();
        Assert.Equal([("raised", raisedAt), ("cleared", raisedAt.AddSeconds(5))], times);
    }

    [Fact]
    public async Task Major_alarms_come_first_then_the_oldest()
    {
        await Reconcile(Manual);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Reconcile(Manual, Dew);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Reconcile(Manual, Dew, Trip);

        Assert.Equal(["environment.dewpoint:stand", "caen.trip:0/hv", "julabo.manual:julabo"], _manager.Active.Select(a => a.Key));
        Assert.Equal(["environment.dewpoint:stand", "caen.trip:0/hv", "julabo.manual:julabo"], RetainedKeys());
    }

    [Fact]
    public async Task An_alarm_is_acknowledged_once_and_a_new_occurrence_needs_a_new_acknowledgement()
    {
        await Reconcile(Trip);
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Null(await _manager.AcknowledgeAsync("caen.trip:0/hv", "olivia", CancellationToken.None));
        Assert.Equal("alarm 'caen.trip:0/hv' was already acknowledged by olivia", await _manager.AcknowledgeAsync("caen.trip:0/hv", "oscar", CancellationToken.None));
        Assert.Equal("no active alarm 'caen.trip:9/hv'", await _manager.AcknowledgeAsync("caen.trip:9/hv", "olivia", CancellationToken.None));
        var acknowledged = Active("caen.trip:0/hv");
        Assert.Equal(("olivia", _clock.GetUtcNow()), (acknowledged.AcknowledgedBy, acknowledged.Acknowledged));

        // Acknowledged does not mean gone: the alarm stays while its condition holds...
        await Reconcile(Trip);
        Assert.Equal("olivia", Active("caen.trip:0/hv").AcknowledgedBy);
        // ...and ends with it; the next trip is a new alarm, unacknowledged, and notified again.
        await Reconcile();
        await Reconcile(Trip);
        Assert.Null(Active("caen.trip:0/hv").Acknowledged);
        Assert.Equal(["caen.trip:0/hv", "caen.trip:0/hv"], _raised);
        Assert.Equal(["raised", "acknowledged", "cleared", "raised"], Events().Select(e => e.Event));
        Assert.Equal(("acknowledged", "olivia"), (History()[2].Event, History()[2].User));
    }

    [Theory]
    [InlineData(0, "a reason", "a shelve lasts more than 0 and at most 7 days (10080 minutes)")]
    [InlineData(-1, "a reason", "a shelve lasts more than 0 and at most 7 days (10080 minutes)")]
    [InlineData(10081, "a reason", "a shelve lasts more than 0 and at most 7 days (10080 minutes)")]
    [InlineData(60, " ", "shelving needs a reason")]
    public async Task A_shelve_needs_a_bounded_duration_and_a_reason(int minutes, string reason, string error)
    {
        await Reconcile(Trip);

        Assert.Equal(error, await _manager.ShelveAsync("caen.trip:0/hv", TimeSpan.FromMinutes(minutes), reason, "olivia", CancellationToken.None));

        Assert.Null(Active("caen.trip:0/hv").ShelvedUntil);
        Assert.Equal(["raised"], Events().Select(e => e.Event));
    }

    [Fact]
    public async Task A_shelve_lasts_its_time_on_the_clock_and_then_ends_by_itself()
    {
        await Reconcile(Trip);
        Assert.Equal("no active alarm 'caen.trip:9/hv'", await _manager.ShelveAsync("caen.trip:9/hv", TimeSpan.FromMinutes(60), "cabling", "olivia", CancellationToken.None));
        Assert.Null(await _manager.ShelveAsync("caen.trip:0/hv", TimeSpan.FromMinutes(60), "re-cabling module 0", "olivia", CancellationToken.None));
        var until = _clock.GetUtcNow().AddMinutes(60);
        var shelved = Active("caen.trip:0/hv");
        Assert.Equal((until, "olivia", "re-cabling module 0"), (shelved.ShelvedUntil, shelved.ShelvedBy, shelved.ShelveReason));
        Assert.Equal($"until {until:O}: re-cabling module 0", History()[0].Detail);

        _clock.Advance(TimeSpan.FromMinutes(60) - TimeSpan.FromMilliseconds(1));
        await Reconcile(Trip);
        Assert.Equal(until, Active("caen.trip:0/hv").ShelvedUntil);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await Reconcile(Trip);
        var expired = Active("caen.trip:0/hv");
        Assert.Equal((null, null, null), (expired.ShelvedUntil, expired.ShelvedBy, expired.ShelveReason));
        Assert.Equal([("raised", "dcs"), ("shelved", "olivia"), ("shelve_expired", "dcs")], Events().Select(e => (e.Event, e.By)));
    }

    [Fact]
    public async Task Only_a_shelved_alarm_is_unshelved_and_a_shelved_alarm_still_clears_with_its_condition()
    {
        await Reconcile(Trip, Dew);
        Assert.Equal("no shelved alarm 'caen.trip:0/hv'", await _manager.UnshelveAsync("caen.trip:0/hv", "olivia", CancellationToken.None));
        await _manager.ShelveAsync("caen.trip:0/hv", TimeSpan.FromHours(1), "cabling", "olivia", CancellationToken.None);
        await _manager.ShelveAsync("environment.dewpoint:stand", TimeSpan.FromHours(1), "nitrogen on", "olivia", CancellationToken.None);

        Assert.Null(await _manager.UnshelveAsync("caen.trip:0/hv", "oscar", CancellationToken.None));
        Assert.Null(Active("caen.trip:0/hv").ShelvedUntil);

        await Reconcile(Trip);
        Assert.Equal(["caen.trip:0/hv"], _manager.Active.Select(a => a.Key));
        Assert.Equal([("unshelved", "caen.trip:0/hv", "oscar"), ("cleared", "environment.dewpoint:stand", "dcs")], Events().TakeLast(2));
    }

    private static readonly AlarmCondition Interlock = new(AlarmCatalog.ChannelTrip with { Code = "interlock", Latching = true }, "condensation", "interlock 'condensation' active → HvOff");
    private static readonly AlarmCondition ChillerFault = new(AlarmCatalog.ChillerFault, "julabo", "chiller reports -03");

    [Fact]
    public async Task A_latching_alarm_that_cleared_by_itself_stays_until_acknowledged_and_then_goes()
    {
        await Reconcile(Interlock);
        _clock.Advance(TimeSpan.FromSeconds(4));
        await Reconcile();

        var latched = Active("interlock:condensation");
        Assert.Equal(_clock.GetUtcNow(), latched.Cleared);
        Assert.Null(latched.Acknowledged);
        Assert.Equal(["interlock:condensation"], RetainedKeys());
        var retained = JsonDocument.Parse(_publisher.Messages.Last(m => m.Topic == "alarms/active").Payload).RootElement[0];
        Assert.Equal(latched.Cleared!.Value.ToString("O"), retained.GetProperty("cleared").GetString());

        Assert.Null(await _manager.AcknowledgeAsync("interlock:condensation", "olivia", CancellationToken.None));
        Assert.Empty(_manager.Active);
        Assert.Empty(RetainedKeys());
        Assert.Equal([("raised", "dcs"), ("cleared", "dcs"), ("acknowledged", "olivia")], Events().Select(e => (e.Event, e.By)));
    }

    [Fact]
    public async Task A_latched_alarm_whose_condition_returns_is_active_again_and_an_acknowledged_one_clears_at_once()
    {
        await Reconcile(Interlock);
        await Reconcile();
        await Reconcile(Interlock);
        Assert.Null(Active("interlock:condensation").Cleared);
        Assert.Equal([("raised", "dcs"), ("cleared", "dcs"), ("returned", "dcs")], Events().Select(e => (e.Event, e.By)));

        await _manager.AcknowledgeAsync("interlock:condensation", "olivia", CancellationToken.None);
        await Reconcile();
        Assert.Empty(_manager.Active);
    }

    [Fact]
    public async Task Alarms_configured_as_latching_latch_and_others_do_not()
    {
        var manager = new AlarmManager(_history, _publisher, _clock, new ListLogger<AlarmManager>(), new AlarmOptions { Latching = ["julabo.fault"] });
        await manager.ReconcileAsync([ChillerFault, Manual], CancellationToken.None);
        await manager.ReconcileAsync([], CancellationToken.None);

        var latched = Assert.Single(manager.Active);
        Assert.Equal(("julabo.fault:julabo", true), (latched.Key, latched.Cleared is not null));
    }

    [Theory]
    [InlineData("nonsense.code")]
    [InlineData("")]
    public void A_latching_code_must_be_an_alarm_code(string code)
    {
        var problem = Assert.Single(new AlarmOptions { Latching = [code] }.Problems());
        Assert.Equal("Alarms:Latching", problem.Key);
        Assert.Contains($"'{code}' is not an alarm code", problem.Problem);
    }

    [Fact]
    public async Task Acknowledge_all_acknowledges_the_given_alarms_not_yet_acknowledged_and_removes_cleared_latched_ones()
    {
        await Reconcile(Interlock, Trip, Dew);
        await _manager.AcknowledgeAsync("caen.trip:0/hv", "oscar", CancellationToken.None);
        await Reconcile(Trip, Dew);

        var error = await _manager.AcknowledgeAllAsync(["interlock:condensation", "caen.trip:0/hv", "environment.dewpoint:stand"], "olivia", CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(["caen.trip:0/hv", "environment.dewpoint:stand"], _manager.Active.Select(a => a.Key).Order());
        Assert.Equal("oscar", Active("caen.trip:0/hv").AcknowledgedBy);
        Assert.Equal("olivia", Active("environment.dewpoint:stand").AcknowledgedBy);
        Assert.Equal("nothing to acknowledge among: caen.trip:0/hv", await _manager.AcknowledgeAllAsync(["caen.trip:0/hv"], "olivia", CancellationToken.None));
    }

    [Fact]
    public async Task The_retained_list_is_published_even_when_nothing_changed()
    {
        await _manager.PublishActiveAsync(CancellationToken.None);

        var retained = Assert.Single(_publisher.Messages);
        Assert.Equal(("alarms/active", "[]", true), (retained.Topic, retained.Payload, retained.Retain));
    }
}
