using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

public sealed class SpoolTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-spool-").FullName;

    [Fact]
    public void Lines_come_back_in_append_order_across_batches_and_commits()
    {
        using var spool = new Spool(_directory, 1 << 20);
        for (var i = 0; i < 10; i++) Assert.True(spool.TryAppend(Enumerable.Range(i * 100, 100).Select(n => $"m v={n}i {n}").ToList()));
        var seen = new List<string>();
        while (!spool.IsEmpty)
        {
            var (lines, end) = spool.Peek(37);
            seen.AddRange(lines);
            spool.Commit(end);
        }
        Assert.Equal(Enumerable.Range(0, 1000).Select(n => $"m v={n}i {n}"), seen);
        Assert.Equal(0, new FileInfo(Path.Combine(_directory, "spool.lp")).Length);
    }

    [Fact]
    public void Undelivered_lines_survive_a_restart_and_a_torn_last_line_is_dropped()
    {
        using (var spool = new Spool(_directory, 1 << 20))
        {
            spool.TryAppend(["a 1", "b 2", "c 3"]);
            var (lines, end) = spool.Peek(1);
            Assert.Equal(["a 1"], lines);
            spool.Commit(end);
        }
        // A crash in the middle of an append.
        File.AppendAllText(Path.Combine(_directory, "spool.lp"), "d 4 and no newl");
        using var reopened = new Spool(_directory, 1 << 20);
        Assert.Equal(["b 2", "c 3"], reopened.Peek(100).Lines);
        reopened.TryAppend(["e 5"]);
        Assert.Equal(["b 2", "c 3", "e 5"], reopened.Peek(100).Lines);
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

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
