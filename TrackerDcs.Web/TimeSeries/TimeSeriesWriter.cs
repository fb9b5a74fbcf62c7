using System.Buffers;
using System.Threading.Channels;
using TrackerDcs.Web.Broker;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// The Telegraf of the process: takes every allowed MQTT publish from the broker tap, maps it to points
/// and stores them in batches (by size, or every FlushInterval). The broker's receive path only copies the
/// payload into a bounded queue; a full queue drops the message with a count in the log instead of stalling
/// every client.
/// </summary>
public sealed class TimeSeriesWriter : BackgroundService
{
    private readonly record struct Message(string Topic, byte[] Payload, long TimeMs);

    private readonly Channel<Message> _queue;
    private readonly PointMapper _mapper;
    private readonly IPointStore _store;
    private readonly TimeSeriesOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TimeSeriesWriter> _log;
    private long _dropped;
    // Messages in the queue, which holds at most QueueCapacity.
    private long _queued;

    /// <param name="deviceRules">The status rules of declared devices, after the section's own rules.</param>
    public TimeSeriesWriter(BrokerTap tap, IPointStore store, TimeSeriesOptions options, TimeProvider time, ILogger<TimeSeriesWriter> log,
        IEnumerable<DeviceMappingRule>? deviceRules = null)
    {
        _store = store;
        _options = options;
        _time = time;
        _log = log;
        _mapper = new PointMapper([.. options.EffectiveRules, .. (deviceRules ?? []).Select(d => d.Rule)]);
        // Unbounded with a count as the bound: its writes and reads take no lock (a concurrent queue), where a bounded
        // channel locks on both ends and the broker's threads and the writer contend for it at every message.
        _queue = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
        tap.Subscribe(Observe);
    }

    private void Observe(string topic, ReadOnlySequence<byte> payload)
    {
        if (!_mapper.Matches(topic)) return;
        if (payload.Length > _options.MaxPayloadBytes)
        {
            _log.LogWarning("Time series: message on '{Topic}' dropped: payload of {Bytes} bytes exceeds TimeSeries:MaxPayloadBytes ({Max})",
                topic, payload.Length, _options.MaxPayloadBytes);
            return;
        }
        if (Interlocked.Increment(ref _queued) > _options.QueueCapacity
            || !_queue.Writer.TryWrite(new Message(topic, payload.ToArray(), _time.GetUtcNow().ToUnixTimeMilliseconds())))
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A store that takes line protocol gets the lines as the messages are mapped: plain payloads skip TimePoint.
        var lines = _store as ILineStore is { TakesLines: true } lineStore ? new Lines(lineStore, _options.BatchSize) : null;
        var batch = new List<TimePoint>();
        var problems = new List<string>();
        var nextFlush = _time.GetUtcNow() + _options.FlushInterval;
        var reader = _queue.Reader;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = nextFlush - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(wait);
                try
                {
                    await reader.WaitToReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) { }
            }
            while ((lines?.Count ?? batch.Count) < _options.BatchSize && reader.TryRead(out var message)) Map(message, lines, batch, problems);
            var now = _time.GetUtcNow();
            _mapper.Expire(now.ToUnixTimeMilliseconds(), batch);
            lines?.Take(batch);
            if ((lines?.Count ?? batch.Count) >= _options.BatchSize || now >= nextFlush)
            {
                Flush(lines, batch);
                nextFlush = now + _options.FlushInterval;
            }
        }
        // Shutdown: what was received is stored (spooled at worst), merge windows included.
        while (reader.TryRead(out var message)) Map(message, lines, batch, problems);
        _mapper.FlushAll(batch);
        lines?.Take(batch);
        Flush(lines, batch);
    }

    private void Map(Message message, Lines? lines, List<TimePoint> batch, List<string> problems)
    {
        Interlocked.Decrement(ref _queued);
        if (lines is null) _mapper.Map(message.Topic, message.Payload, message.TimeMs, batch, problems);
        else
        {
            _mapper.Map(message.Topic, message.Payload, message.TimeMs, lines.Batch, lines.Append, problems);
        }
        foreach (var problem in problems) _log.LogWarning("Time series: message on '{Topic}': {Problem}", message.Topic, problem);
        problems.Clear();
    }

    private void Flush(Lines? lines, List<TimePoint> batch)
    {
        var dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped > 0) _log.LogError("Time series: {Count} messages dropped, the writer's queue (TimeSeries:QueueCapacity {Capacity}) was full", dropped, _options.QueueCapacity);
        if ((lines?.Count ?? batch.Count) == 0) return;
        try
        {
            if (lines is null) _store.Store(batch);
            else lines.Store();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            // A full or broken disk loses this batch, loudly, and the writer goes on with the next.
            _log.LogError("Time series: {Count} points lost, the store failed: {Error}", lines?.Count ?? batch.Count, e.Message);
        }
        batch.Clear();
    }

    /// <summary>The batch being filled for a store that takes line protocol.</summary>
    private sealed class Lines(ILineStore store, int batchSize)
    {
        // About 200 bytes a point for the default rules: one rental, no growth, for a full batch.
        public LineBatch Batch { get; private set; } = new(batchSize * 256);

        public int Count => Batch.Count;

        /// <summary>The store's encoder for the points the mapper makes, one delegate for all messages.</summary>
        public Action<LineBatch, TimePoint> Append { get; } = store.Append;

        /// <summary>Encodes the points of merge windows that ended.</summary>
        public void Take(List<TimePoint> points)
        {
            foreach (var point in points) store.Append(Batch, point);
            points.Clear();
        }

        /// <summary>Hands the batch to the store (which owns it from then on, even if it throws) and starts the next.</summary>
        public void Store()
        {
            var full = Batch;
            Batch = new LineBatch(batchSize * 256);
            store.Store(full);
        }
    }
}
