using Microsoft.Extensions.Logging.Abstractions;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.TimeSeriesBench;

/// <summary>
/// The writer as the process wires it (TimeSeriesSetup): broker tap → TimeSeriesWriter → store → shipper → v1 sink,
/// with the sink wrapped to count the lines InfluxDB acknowledged, so the writer is timed as the direct posts are.
/// </summary>
public sealed class Pipeline : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-bench-").FullName;
    private readonly Spool _spool;
    private readonly InfluxShipper _shipper;
    private readonly TimeSeriesWriter _writer;

    public BrokerTap Tap { get; } = new();
    public AckCountingSink Sink { get; }

    public Pipeline(TimeSeriesOptions options, TimeProvider clock)
    {
        Sink = new AckCountingSink(new InfluxV1Sink(options.Influx));
        _spool = new Spool(_directory, 4L << 30);
        _shipper = new InfluxShipper(_spool, Sink, new DeadLetters(Path.Combine(_directory, "dead.txt"), TimeProvider.System), options,
            TimeProvider.System, NullLogger<InfluxShipper>.Instance);
        var store = new InfluxStore(Sink, _shipper, _spool, options.SpoolMaxBytes, NullLogger<InfluxStore>.Instance);
        _writer = new TimeSeriesWriter(Tap, store, options, clock, NullLogger<TimeSeriesWriter>.Instance);
    }

    /// <summary>The batches of line protocol the writer makes of the workload (same mapping, encoder and batch size), for the direct posts.</summary>
    public static List<LineBatch> BatchesOf(Workload workload, TimeSeriesOptions options, long startMs)
    {
        var mapper = new PointMapper(options.EffectiveRules);
        var clock = new MessageClock(startMs, workload.Channels);
        var points = new List<TimePoint>();
        var batches = new List<LineBatch>();
        for (var i = 0; i < workload.Count; i++)
        {
            if (i % options.BatchSize == 0) batches.Add(new LineBatch());
            points.Clear();
            mapper.Map("dcs/channels", workload.Payloads[i], clock.TimeOf(i), points, []);
            LineProtocol.Append(batches[^1], points.Single());
        }
        return batches;
    }

    public async Task StartAsync()
    {
        await _shipper.StartAsync(CancellationToken.None);
        await _writer.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.StopAsync(CancellationToken.None);
        await _shipper.StopAsync(CancellationToken.None);
        _spool.Dispose();
        Sink.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>Counts the lines of every batch the server acknowledged; a waiter is released once a target is reached.</summary>
public sealed class AckCountingSink(IInfluxSink inner) : IInfluxSink
{
    private long _acknowledged;
    private long _target = long.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Describe => inner.Describe;
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Completes once <paramref name="lines"/> more lines than now have been acknowledged.</summary>
    public Task WhenAcknowledged(long lines)
    {
        _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, Acknowledged + lines);
        if (Acknowledged >= Volatile.Read(ref _target)) _reached.TrySetResult();
        return _reached.Task;
    }

    public void Append(LineBatch batch, TimePoint point) => inner.Append(batch, point);

    public bool AppendsLineProtocol => inner.AppendsLineProtocol;

    public async Task<WriteOutcome> WriteAsync(LineBatch batch, CancellationToken cancellationToken)
    {
        var outcome = await inner.WriteAsync(batch, cancellationToken);
        if (outcome.Result == WriteResult.Written && Interlocked.Add(ref _acknowledged, batch.Count) >= Volatile.Read(ref _target)) _reached.TrySetResult();
        return outcome;
    }

    public void Dispose() => inner.Dispose();
}
