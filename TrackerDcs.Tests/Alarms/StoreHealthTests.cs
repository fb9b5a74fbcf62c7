using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Alarms;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Commands;
using TrackerDcs.Hardware.Caen;
using TrackerDcs.Web.Devices.Caen;
using TrackerDcs.Web.Procedures;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Security;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Tests.Alarms;

/// <summary>
/// A store that cannot be written is a major alarm (system.store) until a write to it succeeds again; the alarm
/// history keeps what the database refuses in memory, bounded, and says so once when it starts and once when it ends.
/// </summary>
public sealed class StoreHealthTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly ListLogger<StoreHealth> _healthLog = new();
    private readonly StoreHealth _health;

    public StoreHealthTests() => _health = new StoreHealth(_clock, _healthLog);

    private static Alarm Event(int n) => new($"caen.trip:{n}/hv", "caen.trip", $"{n}/hv", AlarmSeverity.Major, $"HV of channel {n} tripped", "", DateTimeOffset.UnixEpoch);

    private static CommandRequest Command(string payload, CommandOrigin origin = CommandOrigin.Mqtt) =>
        new("dcs/cmd/switch/hv", payload, "olivia", Role.Operator, origin, "panel-1");

    [TmpfsFact]
    public async Task Rows_beyond_the_memory_bound_are_dropped_and_the_failure_and_the_recovery_are_each_logged_once()
    {
        await using var disk = await FullDiskDatabase.CreateAsync();
        var log = new ListLogger<AlarmHistory>();
        var history = new AlarmHistory(disk.Database, _clock, log, _health);
        var start = _clock.GetUtcNow();
        await disk.FillAsync();

        const int extra = 7;
        for (var n = 0; n < AlarmHistory.MaxUnwritten + extra; n++)
        {
            history.Record("raised", Event(n), "dcs");
            history.Flush(); // as each evaluation does
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal((AlarmHistory.MaxUnwritten, extra), (history.Unwritten, history.Dropped));
        Assert.Equal(2, log.Entries.Count);
        Assert.Contains("Alarm history cannot be written", log.Entries[0].Text);
        Assert.Contains("the oldest are dropped from now on", log.Entries[1].Text);
        Assert.Equal(start, _health.Of(StoreHealth.Database)!.Since);
        Assert.Single(_healthLog.Entries);

        disk.Free();
        history.Flush();

        Assert.Equal((0, 0L), (history.Unwritten, history.Dropped));
        var rows = history.Query(start.AddHours(-1), start.AddHours(2), limit: 2 * AlarmHistory.MaxUnwritten);
        Assert.Equal(AlarmHistory.MaxUnwritten, rows.Count);
        Assert.Equal(($"caen.trip:{extra}/hv", start.AddSeconds(extra)), (rows[^1].Key, rows[^1].Time));
        Assert.Contains($"{AlarmHistory.MaxUnwritten} rows kept in memory are in the database now, {extra} were dropped", log.Entries[^1].Text);
        Assert.Equal(3, log.Entries.Count);
        Assert.NotNull(_health.Of(StoreHealth.Database)); // until writes have succeeded for the hold
        _clock.Advance(StoreHealth.RecoveryHold);
        Assert.Null(_health.Of(StoreHealth.Database));
    }

    [TmpfsFact]
    public async Task An_audit_row_the_database_refuses_raises_system_store_until_a_write_succeeds_again()
    {
        await using var disk = await FullDiskDatabase.CreateAsync();
        var audit = new AuditLog(disk.Database, _clock, health: _health);
        var alarms = new StoreAlarms(_health);
        Assert.Empty(alarms.AlarmConditions());
        await disk.FillAsync();

        var refused = Assert.ThrowsAny<Exception>(() => audit.Begin(Command("off")));

        var alarm = Assert.Single(alarms.AlarmConditions());
        Assert.Equal(("system.store:sqlite", AlarmSeverity.Major), (alarm.Key, alarm.Definition.Severity));
        Assert.Equal($"store sqlite cannot be written since 08:00:00 UTC: {refused.Message}", alarm.Message);
        Assert.Contains("interlocks act", alarm.Definition.Guidance);

        disk.Free();
        _clock.Advance(TimeSpan.FromSeconds(10));
        audit.Begin(Command("on"));
        Assert.Single(alarms.AlarmConditions());
        _clock.Advance(StoreHealth.RecoveryHold);
        Assert.Empty(alarms.AlarmConditions());
        audit.Begin(Command("off"));

        Assert.Equal(2, _healthLog.Entries.Count);
        Assert.Contains("The store sqlite takes writes again since 2026-12-05T08:00:10.0000000+00:00 (it could not from 2026-12-05T08:00:00",
            _healthLog.Entries[1].Text);
    }

    [Fact]
    public void A_full_journal_raises_system_store_and_its_import_clears_it()
    {
        using var database = new TempDatabase();
        var audit = new AuditLog(database.Database, _clock, new AuditJournal(database.Data), health: _health);
        var action = Command(new string('x', 1000), CommandOrigin.Internal);

        Assert.Throws<IOException>(() =>
        {
            for (var n = 0; n <= AuditJournal.Size / 1000; n++) audit.Journal(action, CommandResult.Done, _clock.GetUtcNow());
        });

        Assert.Equal("system.store:audit-journal", Assert.Single(new StoreAlarms(_health).AlarmConditions()).Key);
        Assert.True(audit.ImportJournal() > 0);
        _clock.Advance(StoreHealth.RecoveryHold);
        Assert.Empty(_health.Failures);
    }

    [Fact]
    public void A_store_that_fails_between_successes_stays_one_alarm_with_one_line_each_way_until_it_held_for_the_hold()
    {
        var alarms = new StoreAlarms(_health);
        var full = new IOException("No space left on device");
        _health.Failed(StoreHealth.Database, full);
        for (var n = 0; n < 5; n++)
        {
            _clock.Advance(TimeSpan.FromSeconds(10));
            _health.Succeeded(StoreHealth.Database);
            _clock.Advance(TimeSpan.FromSeconds(10));
            _health.Failed(StoreHealth.Database, full); // the disk at its last blocks: small writes pass, large ones fail
        }
        _health.Succeeded(StoreHealth.Database);
        _clock.Advance(StoreHealth.RecoveryHold - TimeSpan.FromSeconds(1));

        Assert.Equal("store sqlite cannot be written since 08:00:00 UTC: No space left on device", Assert.Single(alarms.AlarmConditions()).Message);
        Assert.Single(_healthLog.Entries);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(alarms.AlarmConditions());
        _health.Succeeded(StoreHealth.Database);
        Assert.Equal(2, _healthLog.Entries.Count);
        Assert.Contains("takes writes again since 2026-12-05T08:01:40", _healthLog.Entries[1].Text);

        // A failure after a recovery nobody's write reported yet: the recovery is logged first, then the new failure.
        _clock.Advance(TimeSpan.FromMinutes(5));
        _health.Failed(StoreHealth.Database, full);
        Assert.Equal(3, _healthLog.Entries.Count);
        Assert.Equal("store sqlite cannot be written since 08:07:10 UTC: No space left on device", Assert.Single(alarms.AlarmConditions()).Message);
    }

    [TmpfsFact]
    public async Task A_run_a_procedure_run_an_account_or_a_kept_set_point_the_database_refuses_raises_system_store()
    {
        await using var disk = await FullDiskDatabase.CreateAsync(_health);
        var runs = new SqliteRunStore(disk.Database);
        var procedures = new SqliteProcedureRunStore(disk.Database);
        var users = new UserStore(disk.Database);
        var setPoints = new CaenSetPoints(disk.Database, _clock, new ListLogger<CaenSetPoints>());
        users.Add("olivia", Role.Operator, "a long password");
        // A duplicate is refused for its content, not for want of a disk.
        Assert.Throws<ArgumentException>(() => users.Add("olivia", Role.Operator, "a long password"));
        Assert.Empty(_health.Failures);
        await disk.FillAsync();

        var writes = new (string Store, Func<Task> Write)[]
        {
            ("runs", () => runs.SaveAsync(new RunDocument { Run = 1, Calibration = "pedestal", Comment = new string('x', 100_000) })),
            ("procedure runs", () => Task.FromResult(procedures.Insert(new ProcedureRunDocument { Procedure = "iv-scan", Comment = new string('x', 100_000) }))),
            ("users", () => { users.Add("oscar", Role.Operator, new string('p', 100_000)); return Task.CompletedTask; }),
        };
        foreach (var (store, write) in writes)
        {
            await Assert.ThrowsAnyAsync<Exception>(write);
            Assert.True(_health.Of(StoreHealth.Database) is not null, $"a refused write to {store} is a failing store");
            disk.Free();
            await runs.NextRunNumberAsync(); // a write that passes, then the hold
            _clock.Advance(StoreHealth.RecoveryHold);
            Assert.Empty(_health.Failures);
            await disk.FillAsync();
        }
        Assert.Contains("could not be kept", setPoints.Keep("0", PowerKind.Hv, 150, 200, new string('u', 100_000)));
        Assert.Equal("system.store:sqlite", Assert.Single(new StoreAlarms(_health).AlarmConditions()).Key);
    }
}
