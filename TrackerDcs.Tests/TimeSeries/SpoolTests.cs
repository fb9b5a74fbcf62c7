using TrackerDcs.Tests.Alarms;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

public sealed class SpoolTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-spool-").FullName;

    private string[] SegmentFiles() => Directory.GetFiles(_directory, "spool-*.lp").Order().ToArray();

    private static List<string> Lines(int from, int count) => Enumerable.Range(from, count).Select(n => $"m v={n}i {n}").ToList();

    /// <summary>Peeks and commits in steps of <paramref name="step"/> until nothing is pending.</summary>
    private static List<string> Drain(Spool spool, int step)
    {
        var seen = new List<string>();
        while (!spool.IsEmpty)
        {
            var (lines, end) = spool.Peek(step);
            Assert.NotEmpty(lines);
            seen.AddRange(lines);
            spool.Commit(end);
        }
        return seen;
    }

    [Fact]
    public void Lines_come_back_in_append_order_across_batches_and_commits()
    {
        using var spool = new Spool(_directory, 1 << 20);
        for (var i = 0; i < 10; i++) Assert.True(spool.TryAppend(Lines(i * 100, 100)));
        Assert.Equal(Lines(0, 1000), Drain(spool, 37));
        Assert.Equal(0, spool.PendingBytes);
    }

    [Fact]
    public void Lines_come_back_in_order_across_segments_and_peeks_span_segment_boundaries()
    {
        // 9 to 13 bytes a line, 10 lines a batch: two batches a segment.
        using var spool = new Spool(_directory, 1 << 20, segmentBytes: 300);
        for (var i = 0; i < 50; i++) Assert.True(spool.TryAppend(Lines(i * 10, 10)));
        Assert.True(SegmentFiles().Length >= 20, $"{SegmentFiles().Length} segment files");
        Assert.Equal(SegmentFiles().Length, spool.SegmentCount);
        // Every segment ends with a whole batch: lines never straddle two files.
        Assert.All(SegmentFiles(), f => Assert.EndsWith("\n", File.ReadAllText(f)));

        // One peek of 45 lines crosses two or three segment boundaries.
        var (first, end) = spool.Peek(45);
        Assert.Equal(Lines(0, 45), first);
        spool.Commit(end);
        Assert.Equal(Lines(45, 455), Drain(spool, 45));
        // Drained: only the newest segment is left, for the next lines.
        Assert.Single(SegmentFiles());
        Assert.True(spool.TryAppend(["after 1"]));
        Assert.Equal(["after 1"], spool.Peek(10).Lines);
    }

    [Fact]
    public void Delivered_segments_are_deleted_while_appends_continue_so_the_files_stay_bounded()
    {
        // After a long outage, a replay that never quite catches up: each round one batch of 20 lines comes
        // in and 15 lines go out, so the spool never drains completely (the single file of earlier versions
        // was truncated only when it did, and grew for as long as this lasted).
        const long segmentBytes = 1000;
        const long maxBytes = 8000;
        using var spool = new Spool(_directory, maxBytes, segmentBytes);
        var appended = 0;
        var delivered = new List<string>();
        var refused = 0;
        long largestDisk = 0;
        for (var round = 0; round < 600; round++)
        {
            if (spool.TryAppend(Lines(appended, 20))) appended += 20;
            else refused++;
            var (lines, end) = spool.Peek(15);
            delivered.AddRange(lines);
            spool.Commit(end);

            var disk = SegmentFiles().Sum(f => new FileInfo(f).Length);
            Assert.Equal(spool.DiskBytes, disk);
            // On disk: what is pending, plus the delivered part of the oldest segment.
            Assert.True(disk <= spool.PendingBytes + segmentBytes, $"round {round}: {disk} bytes on disk, {spool.PendingBytes} pending");
            Assert.True(spool.PendingBytes <= maxBytes);
            largestDisk = Math.Max(largestDisk, disk);
        }
        Assert.False(spool.IsEmpty);
        Assert.True(refused > 0, "the bound was reached");
        // Far more went through than the bound or the largest the files ever were.
        var appendedBytes = Lines(0, appended).Sum(l => l.Length + 1);
        Assert.True(appendedBytes > 10 * maxBytes, $"{appendedBytes} bytes appended");
        Assert.True(largestDisk <= maxBytes + segmentBytes, $"largest on disk {largestDisk}");
        delivered.AddRange(Drain(spool, 15));
        Assert.Equal(Lines(0, appended), delivered);
    }

    [Fact]
    public void A_restart_in_the_middle_of_a_segment_resumes_at_the_first_undelivered_line()
    {
        using (var spool = new Spool(_directory, 1 << 20, segmentBytes: 300))
        {
            for (var i = 0; i < 10; i++) spool.TryAppend(Lines(i * 10, 10));
            // 25 lines: past the first segment (20 lines), in the middle of the second.
            var (lines, end) = spool.Peek(25);
            Assert.Equal(Lines(0, 25), lines);
            spool.Commit(end);
        }
        var files = SegmentFiles();
        Assert.Equal(4, files.Length);
        using var reopened = new Spool(_directory, 1 << 20, segmentBytes: 300);
        Assert.Equal(Lines(25, 75), reopened.Peek(1000).Lines);
        Assert.Equal(Lines(25, 75).Sum(l => l.Length + 1), reopened.PendingBytes);
        // New lines go after the old ones, in a new segment once the newest is full.
        reopened.TryAppend(Lines(100, 10));
        reopened.TryAppend(Lines(110, 10));
        Assert.Equal(Lines(25, 95), Drain(reopened, 7));
        Assert.Single(SegmentFiles());
    }

    [Fact]
    public void Undelivered_lines_survive_a_restart_and_a_torn_last_line_is_dropped()
    {
        using (var spool = new Spool(_directory, 1 << 20, segmentBytes: 8))
        {
            spool.TryAppend(["a 1", "b 2"]);
            spool.TryAppend(["c 3"]);
            var (lines, end) = spool.Peek(1);
            Assert.Equal(["a 1"], lines);
            spool.Commit(end);
        }
        // A crash in the middle of an append to the newest segment.
        File.AppendAllText(SegmentFiles()[^1], "d 4 and no newl");
        using var reopened = new Spool(_directory, 1 << 20, segmentBytes: 8);
        Assert.Equal(["b 2", "c 3"], reopened.Peek(100).Lines);
        Assert.Equal(8, reopened.PendingBytes);
        reopened.TryAppend(["e 5"]);
        Assert.Equal(["b 2", "c 3", "e 5"], reopened.Peek(100).Lines);
        Assert.Equal(["b 2", "c 3", "e 5"], Drain(reopened, 2));
    }

    [Fact]
    public void A_torn_line_delivered_before_the_crash_leaves_nothing_pending()
    {
        using (var spool = new Spool(_directory, 1 << 20))
        {
            spool.TryAppend(["a 1"]);
            spool.Commit(spool.Peek(10).End);
        }
        File.AppendAllText(SegmentFiles()[^1], "b 2 torn");
        using var reopened = new Spool(_directory, 1 << 20);
        Assert.True(reopened.IsEmpty);
        reopened.TryAppend(["c 3"]);
        Assert.Equal(["c 3"], Drain(reopened, 10));
    }

    [Fact]
    public void A_full_spool_refuses_the_whole_batch_and_takes_again_once_drained()
    {
        using var spool = new Spool(_directory, 20);
        Assert.True(spool.TryAppend(["0123456789"]));         // 11 bytes
        Assert.False(spool.TryAppend(["0123456789"]));        // 22 > 20
        Assert.Equal(11, spool.PendingBytes);
        var (lines, end) = spool.Peek(10);
        spool.Commit(end);
        Assert.True(spool.TryAppend(["0123456789"]));
        Assert.Equal(["0123456789"], spool.Peek(10).Lines);
    }

    [Fact]
    public void The_bound_counts_pending_bytes_across_segments_not_delivered_ones()
    {
        var spool = new Spool(_directory, 50, segmentBytes: 22);
        for (var i = 0; i < 4; i++) Assert.True(spool.TryAppend(["012345678"]));  // 10 bytes each, two a segment
        Assert.Equal(40, spool.PendingBytes);
        Assert.False(spool.TryAppend(["0123456789"]));                            // 40 + 11 > 50
        spool.Commit(spool.Peek(1).End);                                           // half of the oldest segment delivered
        Assert.Equal(30, spool.PendingBytes);
        Assert.Equal(40, spool.DiskBytes);                                         // still on disk, but not counted
        Assert.True(spool.TryAppend(["0123456789"]));
        Assert.Equal(41, spool.PendingBytes);
        Assert.False(spool.TryAppend(["0123456789"]));
        spool.Dispose();
        using var restarted = new Spool(_directory, 50, segmentBytes: 22);
        Assert.Equal(41, restarted.PendingBytes);
        Assert.False(restarted.TryAppend(["0123456789"]));
        Assert.True(restarted.TryAppend(["01234567"]));                            // 41 + 9 = 50
    }

    [Fact]
    public void Segments_left_delivered_by_a_crash_before_their_deletion_are_deleted_at_start()
    {
        using (var spool = new Spool(_directory, 1 << 20, segmentBytes: 10))
            for (var i = 0; i < 3; i++) spool.TryAppend([$"line {i}"]);           // 7 bytes each, one a segment
        Assert.Equal(3, SegmentFiles().Length);
        // The offset was written, past the first two segments, and then the process died.
        File.WriteAllText(Path.Combine(_directory, "spool.offset"), "14");
        using var reopened = new Spool(_directory, 1 << 20, segmentBytes: 10);
        Assert.Equal(["line 2"], reopened.Peek(10).Lines);
        Assert.Single(SegmentFiles());
    }

    [Fact]
    public void Without_its_offset_file_the_spool_replays_from_the_oldest_segment()
    {
        using (var spool = new Spool(_directory, 1 << 20, segmentBytes: 10))
        {
            for (var i = 0; i < 3; i++) spool.TryAppend([$"line {i}"]);
            spool.Commit(spool.Peek(1).End);
        }
        File.Delete(Path.Combine(_directory, "spool.offset"));
        using var reopened = new Spool(_directory, 1 << 20, segmentBytes: 10);
        // The first segment was deleted with its commit; what is left is replayed whole (InfluxDB overwrites).
        Assert.Equal(["line 1", "line 2"], reopened.Peek(10).Lines);
    }

    [Fact]
    public void The_single_file_of_earlier_versions_is_taken_over_with_its_offset()
    {
        File.WriteAllText(Path.Combine(_directory, "spool.lp"), "a 1\nb 2\nc 3\n");
        File.WriteAllText(Path.Combine(_directory, "spool.offset"), "4");
        using var spool = new Spool(_directory, 1 << 20);
        Assert.False(File.Exists(Path.Combine(_directory, "spool.lp")));
        Assert.Equal(["b 2", "c 3"], spool.Peek(10).Lines);
        spool.TryAppend(["d 4"]);
        Assert.Equal(["b 2", "c 3", "d 4"], Drain(spool, 10));
    }

    [TmpfsFact]
    public async Task On_a_full_disk_an_append_fails_whole_and_leaves_nothing_behind_even_across_a_restart_and_the_bound_holds()
    {
        var mounted = Path.Combine(_directory, "disk");
        await using var disk = await SmallDisk.MountAsync(mounted, 1L << 20);
        var directory = Path.Combine(mounted, "timeseries");
        long Files() => Directory.GetFiles(directory, "spool-*.lp").Sum(f => new FileInfo(f).Length);
        const long maxBytes = 64 * 1024;
        var spool = new Spool(directory, maxBytes, segmentBytes: 16 * 1024);
        Assert.True(spool.TryAppend(Lines(0, 100)));
        var filler = Path.Combine(mounted, "filler.bin");
        await SmallDisk.FillUpAsync(filler);

        // Each batch needs a new block: refused with the disk's error, and nothing of it stays in the files. 200 lines
        // (3.4 kB) go past the first page, and are less than a FileStream's buffer.
        var kept = spool.DiskBytes;
        for (var i = 1; i <= 20; i++)
        {
            Assert.Throws<IOException>(() => spool.TryAppend(Lines(i * 10000, 200)));
            Assert.Equal((kept, kept), (spool.DiskBytes, Files()));
        }
        // Not even later, from a buffer: the refused bytes must not be written once there is room, nor at the close.
        File.Delete(filler);
        Assert.True(spool.TryAppend(Lines(100, 10)));
        spool.Dispose();
        spool = new Spool(directory, maxBytes, segmentBytes: 16 * 1024);
        Assert.Equal(Lines(0, 110), spool.Peek(1000).Lines);
        Assert.Equal(spool.DiskBytes, Files());

        var appended = 110;
        while (spool.TryAppend(Lines(appended, 100))) appended += 100;
        Assert.True(spool.PendingBytes <= maxBytes, $"{spool.PendingBytes} bytes pending");
        Assert.True(Files() <= maxBytes, $"{Files()} bytes in the files");
        Assert.Equal(Lines(0, appended), Drain(spool, 250));
        spool.Dispose();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
