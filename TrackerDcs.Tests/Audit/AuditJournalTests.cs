using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Tests.Audit;

/// <summary>
/// The journal of interlock actions that ran while the database could not take their rows: preallocated so it
/// needs no new space, kept across a restart, bounded, and imported into the audit once, with the actions' times.
/// </summary>
public sealed class AuditJournalTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 20, 0, 0, TimeSpan.Zero));
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    private static CommandRequest Action(string payload) =>
        new("dcs/cmd/switch/hv", payload, "interlock", Role.Admin, CommandOrigin.Internal, "interlock:cooling");

    [Fact]
    public void The_file_is_preallocated_at_start_and_a_restart_appends_after_the_rows_already_there()
    {
        var journal = new AuditJournal(_database.Data);
        Assert.Equal(AuditJournal.Size, new FileInfo(journal.Path).Length);
        Assert.True(journal.IsEmpty);

        journal.Append(new JournaledCommand(_clock.GetUtcNow(), Action("off"), true, "ok"));
        var again = new AuditJournal(_database.Data);
        again.Append(new JournaledCommand(_clock.GetUtcNow().AddSeconds(1), Action("off"), false, "refused: crate DISCONNECTED"));

        Assert.Equal(AuditJournal.Size, new FileInfo(journal.Path).Length);
        List<JournaledCommand> rows = [];
        Assert.Equal(2, again.Drain(rows.AddRange));
        Assert.Equal([(true, "ok"), (false, "refused: crate DISCONNECTED")], rows.Select(r => (r.Ok, r.Result)));
        Assert.True(again.IsEmpty);
        Assert.True(new AuditJournal(_database.Data).IsEmpty);
    }

    [Fact]
    public void A_full_journal_refuses_the_row_that_does_not_fit_and_keeps_the_others()
    {
        var journal = new AuditJournal(_database.Data);
        var row = new JournaledCommand(_clock.GetUtcNow(), Action(new string('x', 1000)), true, "ok");
        var fitted = 0;
        var full = Assert.Throws<IOException>(() =>
        {
            for (; fitted <= AuditJournal.Size / 1000; fitted++) journal.Append(row);
        });

        Assert.Contains($"is full ({AuditJournal.Size} bytes)", full.Message);
        Assert.Equal(fitted, journal.Drain(_ => { }));
    }

    [Fact]
    public void Imported_rows_reach_the_audit_with_the_time_the_action_ran_and_only_once()
    {
        var journal = new AuditJournal(_database.Data);
        var audit = new AuditLog(_database.Database, _clock, journal);
        var ran = _clock.GetUtcNow();
        audit.Journal(Action("off"), CommandResult.Done, ran);
        List<AuditEntry> announced = [];
        audit.Appended += announced.Add;
        _clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(1, audit.ImportJournal());
        Assert.Equal(0, audit.ImportJournal());

        var row = Assert.Single(audit.Query(ran.AddHours(-1), ran.AddHours(1)));
        Assert.Equal((ran, "interlock", "internal", "interlock:cooling", "dcs/cmd/switch/hv", "off", true, "ok"),
            (row.Time, row.User, row.Origin, row.ClientId, row.Topic, row.Payload, row.Ok, row.Result));
        Assert.Equal([row], announced);
    }

    [Fact]
    public void A_failed_import_keeps_every_row_in_the_journal_and_writes_none()
    {
        var journal = new AuditJournal(_database.Data);
        journal.Append(new JournaledCommand(_clock.GetUtcNow(), Action("off"), true, "ok"));
        journal.Append(new JournaledCommand(_clock.GetUtcNow(), Action("off"), true, "ok"));

        Assert.Throws<IOException>(() => journal.Drain(_ => throw new IOException("No space left on device")));

        Assert.Equal(2, journal.Drain(_ => { }));
    }
}
