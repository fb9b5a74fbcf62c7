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

    public TimeSeriesWriter(BrokerTap tap, IPointStore store, TimeSeriesOptions options, TimeProvider time, ILogger<TimeSeriesWriter> log)
    {
        _store = store;
        _options = options;
        _time = time;
        _log = log;
        _mapper = new PointMapper(options.EffectiveRules);
        _queue = Channel.CreateBounded<Message>(new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true });
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
        if (!_queue.Writer.TryWrite(new Message(topic, payload.ToArray(), _time.GetUtcNow().ToUnixTimeMilliseconds())))
            Interlocked.Increment(ref _dropped);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
            while (batch.Count < _options.BatchSize && reader.TryRead(out var message)) Map(message, batch, problems);
            var now = _time.GetUtcNow();
            _mapper.Expire(now.ToUnixTimeMilliseconds(), batch);
            if (batch.Count >= _options.BatchSize || now >= nextFlush)
            {
                Flush(batch);
                nextFlush = now + _options.FlushInterval;
            }
        }
        // Shutdown: what was received is stored (spooled at worst), merge windows included.
        while (reader.TryRead(out var message)) Map(message, batch, problems);
        _mapper.FlushAll(batch);
        Flush(batch);
    }

    private void Map(Message message, List<TimePoint> batch, List<string> problems)
    {
        _mapper.Map(message.Topic, message.Payload, message.TimeMs, batch, problems);
        foreach (var problem in problems) _log.LogWarning("Time series: message on '{Topic}': {Problem}", message.Topic, problem);
        problems.Clear();
    }

    private void Flush(List<TimePoint> batch)
    {
        var dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped > 0) _log.LogError("Time series: {Count} messages dropped, the writer's queue (TimeSeries:QueueCapacity {Capacity}) was full", dropped, _options.QueueCapacity);
        if (batch.Count == 0) return;
        try
        {
            _store.Store(batch);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            // A full or broken disk loses this batch, loudly, and the writer goes on with the next.
            _log.LogError("Time series: {Count} points lost, the store failed: {Error}", batch.Count, e.Message);
        }
        batch.Clear();
    }
}
