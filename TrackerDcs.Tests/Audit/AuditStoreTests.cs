using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Hardware;
using TrackerDcs.Tests.Support;
using TrackerDcs.Web.Audit;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;

namespace TrackerDcs.Tests.Audit;

/// <summary>The audit log's store in process, on a real SQLite file and a fake clock: bounded rows, pages, retention.</summary>
public sealed class AuditStoreTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TempDatabase _database = new();
    private readonly AuditLog _audit;

    public AuditStoreTests() => _audit = new AuditLog(_database.Database, _clock);

    public void Dispose() => _database.Dispose();

    private AuditEntry Append(string topic = "dcs/cmd/clear", string payload = "") =>
        _audit.Append(new CommandRequest(topic, payload, "olivia", Role.Operator, CommandOrigin.Mqtt, "client-1"), CommandResult.Success());

    private AuditRetention Retention(int days, ListLogger<AuditRetention>? log = null) =>
        new(_database.Database, new AuditOptions { RetentionDays = days }, _clock, log ?? new ListLogger<AuditRetention>());

    [Fact]
    public void A_multibyte_payload_is_cut_on_a_character_boundary_within_its_bound()
    {
        var entry = Append(payload: new string('é', 3000)); // 6000 UTF-8 bytes

        Assert.Equal(new string('é', 2048) + "…(6000 bytes)", entry.Payload);
    }

    [Fact]
    public void Pages_follow_the_cursor_through_every_entry_once_newest_first_also_when_entries_share_a_millisecond()
    {
        var appended = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            appended.Add(Append().Id);
            if (i % 3 == 2) _clock.Advance(TimeSpan.FromSeconds(1));
        }
        var (from, to) = (_clock.GetUtcNow().AddHours(-1), _clock.GetUtcNow().AddHours(1));

        var seen = new List<long>();
        AuditCursor? cursor = null;
        while (true)
        {
            var page = _audit.QueryPage(from, to, 2, cursor);
            seen.AddRange(page.Select(e => e.Id));
            if (page.Count < 2) break;
            cursor = AuditCursor.After(page[^1]);
        }

        Assert.Equal(appended.AsEnumerable().Reverse(), seen);
    }

    [Theory]
    [InlineData("1733011200000.42", true)]
    [InlineData("42", false)]
    [InlineData("-1.2", false)]
    [InlineData("1.x", false)]
    public void A_cursor_reads_back_what_it_wrote(string text, bool valid)
    {
        Assert.Equal(valid, AuditCursor.TryParse(text, out var cursor));
        if (valid) Assert.Equal(text, cursor.ToString());
    }

    [Fact]
    public void Entries_older_than_the_retention_are_deleted_and_newer_ones_kept()
    {
        var old = Append(topic: "dcs/cmd/old");
        _clock.Advance(TimeSpan.FromDays(30));
        var recent = Append(topic: "dcs/cmd/recent");
        _clock.Advance(TimeSpan.FromDays(1));
        var log = new ListLogger<AuditRetention>();

        Assert.Equal(1, Retention(30, log).Prune());

        var left = _audit.Query(DateTimeOffset.UnixEpoch, _clock.GetUtcNow().AddDays(1));
        Assert.Equal([recent.Id], left.Select(e => e.Id));
        Assert.Contains(log.Entries, e => e.Text == "Deleted 1 audit entries older than 30 days (Audit:RetentionDays)");
        Assert.NotEqual(old.Id, recent.Id);
    }

    [Fact]
    public async Task The_pruning_job_runs_at_start_and_then_every_hour_of_the_clock()
    {
        Append(topic: "dcs/cmd/first");
        _clock.Advance(TimeSpan.FromDays(2));
        using var retention = Retention(1);
        await retention.StartAsync(CancellationToken.None);
        await Eventually.True(() => _audit.Query(DateTimeOffset.UnixEpoch, _clock.GetUtcNow().AddDays(1)).Count == 0, "the prune at start");

        Append(topic: "dcs/cmd/second");
        _clock.Advance(TimeSpan.FromHours(23)); // ticks: the entry is 23 h old, within the day
        Assert.Single(_audit.Query(DateTimeOffset.UnixEpoch, _clock.GetUtcNow().AddDays(1)));
        _clock.Advance(TimeSpan.FromHours(2)); // the next ticks: 25 h old
        await Eventually.True(() => _audit.Query(DateTimeOffset.UnixEpoch, _clock.GetUtcNow().AddDays(1)).Count == 0, "the hourly prune");
        await retention.StopAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData(0, "setting 'Audit:RetentionDays': 0 is outside 1..36500 days")]
    [InlineData(36501, "setting 'Audit:RetentionDays': 36501 is outside 1..36500 days")]
    [InlineData(365, null)]
    public void The_retention_is_validated(int days, string? problem) =>
        Assert.Equal(problem, new AuditOptions { RetentionDays = days }.Problems().Select(p => p.ToString()).SingleOrDefault());
}
