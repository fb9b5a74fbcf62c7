using System.Text;
using Microsoft.Extensions.Logging;
using TrackerDcs.Web.Broker;

namespace TrackerDcs.Tests.Broker;

/// <summary>The retained messages' journal on its own: replay, torn tails, compaction, deletes, quota counting.</summary>
public sealed class RetainedJournalTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-journal-").FullName;
    private readonly ListLogger<RetainedJournalTests> _log = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static RetainedRecord Set(string topic, string payload, string owner = "olivia") => new(topic, owner, Encoding.UTF8.GetBytes(payload));
    private static RetainedRecord Delete(string topic, string owner = "olivia") => new(topic, owner, []);

    private RetainedJournal Open(long compactAfterBytes = RetainedJournal.DefaultCompactAfterBytes, Func<IEnumerable<RetainedRecord>>? import = null) =>
        RetainedJournal.Open(_directory, _log, import, compactAfterBytes);

    private static Dictionary<string, string> State(RetainedJournal journal) =>
        journal.Messages.ToDictionary(m => m.Topic, m => Encoding.UTF8.GetString(m.Payload));

    private static async Task AppendAsync(RetainedJournal journal, RetainedRecord record) =>
        await (journal.TryAppend(record) ?? throw new InvalidOperationException("refused"));

    [Fact]
    public async Task Changes_are_replayed_in_the_order_they_were_appended_and_an_empty_payload_deletes()
    {
        await using (var journal = Open())
        {
            await AppendAsync(journal, Set("lab/a", "1"));
            await AppendAsync(journal, Set("lab/b", "1"));
            await AppendAsync(journal, Set("lab/a", "2"));
            await AppendAsync(journal, Delete("lab/b"));
            await AppendAsync(journal, Set("lab/c", "1"));
            await AppendAsync(journal, Set("lab/a", "3"));
        }
        await using var reopened = Open();
        Assert.Equal(new Dictionary<string, string> { ["lab/a"] = "3", ["lab/c"] = "1" }, State(reopened));
    }

    [Fact]
    public async Task Everything_acknowledged_is_in_the_journal_file_before_the_journal_is_closed()
    {
        // What a SIGKILL leaves: the files as they are once the appends' tasks completed, read by a second instance
        // while the first was never closed.
        var journal = Open();
        await Task.WhenAll(Enumerable.Range(1, 200).Select(i => journal.TryAppend(Set($"lab/{i % 7}", i.ToString()))!));
        await using var other = Open();
        Assert.Equal(State(journal), State(other));
        await journal.DisposeAsync();
    }

    [Theory]
    [InlineData(1)]   // only part of the header
    [InlineData(12)]  // the header and part of the body
    public async Task A_torn_last_record_is_dropped_with_a_warning_and_the_start_goes_on(int tornBytes)
    {
        await using (var journal = Open())
        {
            await AppendAsync(journal, Set("lab/a", "1"));
            await AppendAsync(journal, Set("lab/a", "2"));
        }
        var file = Directory.GetFiles(_directory, "journal.*").Single();
        using (var whole = new MemoryStream())
        {
            Set("lab/a", "a record the crash cut short").WriteFrame(whole);
            await using var append = new FileStream(file, FileMode.Append);
            append.Write(whole.GetBuffer().AsSpan(0, tornBytes));
        }

        await using (var reopened = Open())
        {
            Assert.Equal("2", State(reopened)["lab/a"]);
            Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("incomplete or damaged record"));
            // The torn bytes went with the file they were in: what is appended now is read back after the next start.
            await AppendAsync(reopened, Set("lab/a", "3"));
        }
        await using var again = Open();
        Assert.Equal("3", State(again)["lab/a"]);
    }

    [Fact]
    public async Task A_record_whose_checksum_fails_ends_the_replay_of_its_file()
    {
        await using (var journal = Open())
        {
            await AppendAsync(journal, Set("lab/a", "1"));
            await AppendAsync(journal, Set("lab/a", "2"));
        }
        var file = Directory.GetFiles(_directory, "journal.*").Single();
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[^1] ^= 0xFF; // the last byte of the second record's body
        await File.WriteAllBytesAsync(file, bytes);

        await using var reopened = Open();
        Assert.Equal("1", State(reopened)["lab/a"]);
    }

    [Fact]
    public async Task Compaction_writes_a_snapshot_and_removes_the_journal_files_it_covers_without_losing_a_change()
    {
        await using (var journal = Open(compactAfterBytes: 2_000))
        {
            for (var i = 0; i < 500; i++)
            {
                await AppendAsync(journal, Set($"lab/{i % 10}", i.ToString()));
                if (i % 10 == 9) await AppendAsync(journal, Delete("lab/9"));
            }
            await Eventually.True(() => File.Exists(Path.Combine(_directory, "snapshot")), "a snapshot");
            // Each compaction leaves the current journal file only, plus the one being compacted.
            Assert.InRange(journal.JournalFiles.Count, 1, 2);
        }
        Assert.DoesNotContain(Directory.GetFiles(_directory), f => f.EndsWith(".tmp"));
        await using var reopened = Open();
        var expected = Enumerable.Range(490, 9).ToDictionary(i => $"lab/{i % 10}", i => i.ToString());
        Assert.Equal(expected, State(reopened));
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_start_that_replayed_journal_files_begins_on_a_snapshot_and_no_old_journal()
    {
        await using (var journal = Open())
            await AppendAsync(journal, Set("lab/a", "1"));
        await using var reopened = Open();
        Assert.True(File.Exists(Path.Combine(_directory, "snapshot")));
        Assert.Empty(reopened.JournalFiles);
        Assert.Equal("1", State(reopened)["lab/a"]);
    }

    [Fact]
    public async Task The_count_quota_refuses_a_new_topic_but_allows_replacing_and_deleting_ones_own()
    {
        await using var journal = Open();
        await AppendAsync(journal, Set("box/a", "1", "box"));
        await AppendAsync(journal, Set("box/b", "1", "box"));

        Assert.Null(journal.TryAppend(Set("box/c", "1", "box"), maxOwned: 2));
        Assert.NotNull(journal.TryAppend(Set("box/a", "2", "box"), maxOwned: 2));
        Assert.NotNull(journal.TryAppend(Set("lab/x", "1", "other"), maxOwned: 2));
        await AppendAsync(journal, Delete("box/b", "box"));
        Assert.Equal(1, journal.OwnedBy("box"));
        Assert.NotNull(journal.TryAppend(Set("box/c", "1", "box"), maxOwned: 2));
        Assert.False(State(journal).ContainsKey("box/b"));
    }

    [Fact]
    public async Task Messages_of_an_older_format_are_imported_once_into_the_first_snapshot()
    {
        var calls = 0;
        IEnumerable<RetainedRecord> Import()
        {
            calls++;
            return [Set("lab/old", "from retained.json", "")];
        }
        await using (var journal = Open(import: Import))
            Assert.Equal("from retained.json", State(journal)["lab/old"]);
        await using var reopened = Open(import: Import);
        Assert.Equal("from retained.json", State(reopened)["lab/old"]);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task The_files_are_the_owners_only()
    {
        await using (var journal = Open())
            await AppendAsync(journal, Set("lab/a", "1"));
        const UnixFileMode privateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.All(Directory.GetFiles(_directory), f => Assert.Equal(privateFile, File.GetUnixFileMode(f)));
    }
}

/// <summary>The quotas are settings checked at start: a value that makes no sense names its key.</summary>
public sealed class BrokerQuotaOptionsTests
{
    [Fact]
    public void A_quota_that_makes_no_sense_is_a_settings_problem_naming_its_key()
    {
        var options = new BrokerOptions();
        options.Quotas.Device.MaxSubscriptions = 0;
        options.Quotas.Operator.MaxRetainedMessages = -1;
        options.Quotas.Viewer.MaxPendingMessages = 0;
        var keys = options.Problems().Select(p => p.Key).ToList();
        Assert.Equal(["Broker:Quotas:Device:MaxSubscriptions", "Broker:Quotas:Viewer:MaxPendingMessages", "Broker:Quotas:Operator:MaxRetainedMessages"], keys);
    }

    [Fact]
    public void The_defaults_are_valid_and_smallest_for_devices()
    {
        var options = new BrokerOptions();
        Assert.Empty(options.Problems());
        var device = options.Quotas.For(TrackerDcs.Web.Security.Role.Device);
        Assert.True(device.MaxRetainedMessageBytes <= 8 * 1024);
        // A device's own retained messages, queued at once when it subscribes to them, fit in its queue.
        Assert.True(device.MaxPendingMessages > device.MaxRetainedMessages);
        Assert.True(device.MaxPendingMessages < options.Quotas.For(TrackerDcs.Web.Security.Role.Viewer).MaxPendingMessages);
    }

    [Fact]
    public void A_flow_control_that_makes_no_sense_is_a_settings_problem_naming_its_key()
    {
        var options = new BrokerOptions();
        options.FlowControl.MaxUnacknowledged = -1;
        options.FlowControl.MaxWait = TimeSpan.FromMinutes(1);
        Assert.Equal(["Broker:FlowControl:MaxUnacknowledged", "Broker:FlowControl:MaxWait"], options.Problems().Select(p => p.Key));
        options.FlowControl.MaxUnacknowledged = 0; // off
        options.FlowControl.MaxWait = TimeSpan.Zero;
        Assert.Equal(["Broker:FlowControl:MaxWait"], options.Problems().Select(p => p.Key));
    }
}
