using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TrackerDcs.Tests.Alarms;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

/// <summary>
/// The shipper's decisions with a scripted sink (a hand-written fake: influxd 1.6.7 never answers 429 or
/// Retry-After, and a refused batch needs exact control) and a fake clock.
/// </summary>
public sealed class InfluxShipperTests : IAsyncLifetime
{
    private sealed class ScriptedSink : IInfluxSink
    {
        private readonly Queue<Func<IReadOnlyList<string>, WriteOutcome>> _script = new();
        public List<IReadOnlyList<string>> Calls { get; } = [];
        public List<DateTimeOffset> Times { get; } = [];
        public required TimeProvider Clock { get; init; }
        public string Describe => "scripted sink";

        public void Then(Func<IReadOnlyList<string>, WriteOutcome> answer) => _script.Enqueue(answer);

        public Task<WriteOutcome> WriteAsync(LineBatch batch, CancellationToken cancellationToken)
        {
            var lines = batch.Lines();
            lock (Calls)
            {
                Calls.Add(lines);
                Times.Add(Clock.GetUtcNow());
                return Task.FromResult(_script.TryDequeue(out var answer) ? answer(lines) : WriteOutcome.Written);
            }
        }

        public int CallCount { get { lock (Calls) return Calls.Count; } }
        public void Dispose() { }
    }

    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-shipper-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedSink _sink;
    private readonly Spool _spool;
    private readonly DeadLetters _deadLetters;
    private readonly InfluxShipper _shipper;

    public InfluxShipperTests()
    {
        _sink = new ScriptedSink { Clock = _time };
        _spool = new Spool(_directory, 1 << 20);
        _deadLetters = new DeadLetters(Path.Combine(_directory, "dead.txt"), _time);
        _shipper = new InfluxShipper(_spool, _sink, _deadLetters, new TimeSeriesOptions { FlushInterval = TimeSpan.FromMilliseconds(20) },
            _time, NullLogger<InfluxShipper>.Instance);
    }

    [Fact]
    public async Task A_refused_batch_is_split_and_only_the_bad_line_goes_to_the_dead_letters()
    {
        _sink.Then(_ => new WriteOutcome(WriteResult.Rejected, "400 partial write: field type conflict"));
        _sink.Then(_ => WriteOutcome.Written);
        _sink.Then(_ => new WriteOutcome(WriteResult.Rejected, "400 unable to parse 'b x=': missing field value"));
        _sink.Then(_ => WriteOutcome.Written);
        _spool.TryAppend(["a v=1 1", "b x= 2", "c v=3 3"]);
        await _shipper.StartAsync(CancellationToken.None);

        await Eventually.True(() => _spool.IsEmpty, "the spool delivered");
        Assert.Equal([["a v=1 1", "b x= 2", "c v=3 3"], ["a v=1 1"], ["b x= 2"], ["c v=3 3"]], _sink.Calls);
        var dead = Assert.Single(File.ReadAllLines(_deadLetters.Path));
        Assert.EndsWith("\t400 unable to parse 'b x=': missing field value\tb x= 2", dead);
    }

    [Fact]
    public async Task Retry_after_from_the_server_is_honoured_and_nothing_is_lost_meanwhile()
    {
        _sink.Then(_ => new WriteOutcome(WriteResult.Retry, "429 too many requests", TimeSpan.FromSeconds(7)));
        _spool.TryAppend(["a v=1 1"]);
        await _shipper.StartAsync(CancellationToken.None);
        await Eventually.True(() => _shipper.Failure is not null, "the first attempt failed");
        Assert.Equal("429 too many requests", _shipper.Failure);
        Assert.False(_spool.IsEmpty);

        var times = await AttemptTimesUntilDeliveredAsync();
        Assert.Equal(2, times.Count);
        Assert.InRange(times[1] - times[0], 6.999, 7.5);
        Assert.Null(_shipper.Failure);
    }

    [Fact]
    public async Task Without_retry_after_the_back_off_doubles()
    {
        for (var i = 0; i < 3; i++) _sink.Then(_ => new WriteOutcome(WriteResult.Retry, "connection refused"));
        _spool.TryAppend(["a v=1 1"]);
        await _shipper.StartAsync(CancellationToken.None);
        var times = await AttemptTimesUntilDeliveredAsync();
        Assert.Equal(4, times.Count);
        foreach (var (gap, expected) in times.Zip(times.Skip(1), (a, b) => b - a).Zip([0.5, 1.0, 2.0]))
            Assert.InRange(gap, expected - 0.001, expected + 0.5);
    }

    [Fact]
    public async Task On_the_healthy_path_batches_are_written_from_memory_and_the_spool_stays_empty()
    {
        await _shipper.StartAsync(CancellationToken.None);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(_shipper.Enqueue(LineBatch.Of([$"m v={i} {i}"])));
            await Eventually.True(() => _sink.CallCount == i + 1, $"write {i + 1}");
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => new[] { $"m v={i} {i}" }), _sink.Calls);
        Assert.Equal(0, _spool.DiskBytes);
    }

    [Fact]
    public async Task A_batch_the_server_does_not_take_goes_to_the_spool_and_later_ones_follow_it_in_order()
    {
        _sink.Then(_ => new WriteOutcome(WriteResult.Retry, "503 overloaded", TimeSpan.FromSeconds(1)));
        await _shipper.StartAsync(CancellationToken.None);
        Assert.True(_shipper.Enqueue(LineBatch.Of(["a v=1 1"])));
        await Eventually.True(() => _shipper.Failure is not null, "the first write failed");
        Assert.False(_spool.IsEmpty);
        Assert.True(_shipper.Enqueue(LineBatch.Of(["b v=2 2"])));
        Assert.Equal(["a v=1 1", "b v=2 2"], _spool.Peek(10).Lines);

        await AttemptTimesUntilDeliveredAsync();
        Assert.Equal([["a v=1 1"], ["a v=1 1", "b v=2 2"]], _sink.Calls);
        Assert.Null(_shipper.Failure);

        // Delivered: the next batch skips the disk again (the newest segment stays, with delivered lines only).
        Assert.True(_spool.IsEmpty);
        var disk = _spool.DiskBytes;
        Assert.True(_shipper.Enqueue(LineBatch.Of(["c v=3 3"])));
        await Eventually.True(() => _sink.CallCount == 3, "the third write");
        Assert.Equal(["c v=3 3"], _sink.Calls[2]);
        Assert.Equal(disk, _spool.DiskBytes);
    }

    private sealed class HangingSink : IInfluxSink
    {
        public string Describe => "hanging sink";

        public async Task<WriteOutcome> WriteAsync(LineBatch batch, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return WriteOutcome.Written;
        }

        public void Dispose() { }
    }

    [Fact]
    public async Task Batches_in_flight_or_in_memory_at_shutdown_are_spooled_in_order_for_the_next_start()
    {
        var shipper = new InfluxShipper(_spool, new HangingSink(), _deadLetters, new TimeSeriesOptions { MaxWritesInFlight = 2 }, _time,
            NullLogger<InfluxShipper>.Instance);
        await shipper.StartAsync(CancellationToken.None);
        // Four: never more than memory holds, whether or not the shipper has posted the first two yet.
        for (var i = 0; i < 4; i++) Assert.True(shipper.Enqueue(LineBatch.Of([$"m v={i} {i}"])));
        await Task.Delay(100);
        Assert.True(_spool.IsEmpty);

        await shipper.StopAsync(CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"m v={i} {i}"), _spool.Peek(10).Lines);
    }

    [Fact]
    public void A_shipper_that_makes_no_progress_makes_the_writer_wait_at_most_the_write_timeout_then_the_spool_takes_over_in_order()
    {
        var shipper = new InfluxShipper(_spool, _sink, _deadLetters, new TimeSeriesOptions { Influx = { Timeout = TimeSpan.FromMilliseconds(300) } },
            _time, NullLogger<InfluxShipper>.Instance);
        // Not started, so nothing is posted: four batches wait in memory, the fifth waits for room, then moves them all to the spool.
        for (var i = 0; i < 4; i++) Assert.True(shipper.Enqueue(LineBatch.Of([$"m v={i} {i}"])));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(shipper.Enqueue(LineBatch.Of(["m v=4 4"])));
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.29, 5);
        Assert.True(shipper.Enqueue(LineBatch.Of(["m v=5 5"])));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"m v={i} {i}"), _spool.Peek(10).Lines);
    }

    [TmpfsFact]
    public async Task A_batch_that_fails_while_the_disk_is_full_is_lost_loudly_and_the_shipper_goes_on()
    {
        var mounted = Path.Combine(_directory, "disk");
        await using var disk = await SmallDisk.MountAsync(mounted, 1L << 20);
        using var spool = new Spool(Path.Combine(mounted, "timeseries"), 1 << 20);
        var log = new ListLogger<InfluxShipper>();
        var shipper = new InfluxShipper(spool, _sink, _deadLetters, new TimeSeriesOptions { FlushInterval = TimeSpan.FromMilliseconds(20) }, _time, log);
        await shipper.StartAsync(CancellationToken.None);
        try
        {
            await SmallDisk.FillUpAsync(Path.Combine(mounted, "filler.bin"));
            // InfluxDB goes away with a batch in flight: it must go to the spool, whose disk refuses it.
            _sink.Then(_ => new WriteOutcome(WriteResult.Retry, "connection refused"));
            Assert.True(shipper.Enqueue(LineBatch.Of(["m v=1 1"])));
            bool Lost() => log.Entries.Any(e => e.Text.Contains("Time-series spool cannot be written"));
            await Eventually.True(() => Lost() || shipper.ExecuteTask!.IsCompleted, "the batch lost or the shipper ended");

            Assert.False(shipper.ExecuteTask!.IsCompleted, $"the shipper ended: {shipper.ExecuteTask.Exception?.InnerException}");
            Assert.Contains("No space left on device", Assert.Single(log.Entries, e => e.Text.Contains("cannot be written")).Text);
            // The next batches go the same way, without a line each, and the writer is told instead of being thrown at.
            Assert.False(shipper.Enqueue(LineBatch.Of(["m v=2 2"])));
            Assert.False(shipper.Enqueue(LineBatch.Of(["m v=3 3"])));
            Assert.Single(log.Entries, e => e.Text.Contains("cannot be written"));
            Assert.Equal(0, spool.DiskBytes);
            Assert.False(shipper.ExecuteTask.IsCompleted);
        }
        finally
        {
            await shipper.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Moves the fake clock in 50 ms steps until the spool is delivered; the fake times of the attempts, in
    /// seconds. Steps never jump past a retry, so a shipper slow to start its delay only makes a gap longer.
    /// </summary>
    private async Task<List<double>> AttemptTimesUntilDeliveredAsync()
    {
        var start = _time.GetUtcNow();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!_spool.IsEmpty)
        {
            Assert.True(DateTime.UtcNow < deadline, "not delivered within 30 s");
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(5);
        }
        lock (_sink.Calls) return _sink.Times.Select(t => (t - start).TotalSeconds).ToList();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xUnit 2 never calls DisposeAsync on a test class that only has the latter.
    public async Task DisposeAsync()
    {
        await _shipper.StopAsync(CancellationToken.None);
        _spool.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
