using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using TrackerDcs.Web.Broker;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

/// <summary>The writer's queue holds TimeSeries:QueueCapacity messages; beyond that they are dropped and counted in the log.</summary>
public class TimeSeriesWriterTests
{
    private sealed class ListStore : IPointStore
    {
        public List<TimePoint> Points { get; } = [];
        public void Store(IReadOnlyList<TimePoint> points)
        {
            lock (Points) Points.AddRange(points);
        }
    }

    [Fact]
    public async Task A_full_queue_drops_messages_with_a_count_and_keeps_the_rest()
    {
        var tap = new BrokerTap();
        var store = new ListStore();
        var log = new ListLogger<TimeSeriesWriter>();
        var options = new TimeSeriesOptions { QueueCapacity = 10, FlushInterval = TimeSpan.FromMilliseconds(50) };
        var writer = new TimeSeriesWriter(tap, store, options, TimeProvider.System, log);
        // Not started yet: nothing is taken from the queue.
        for (var i = 0; i < 15; i++) tap.Raise("dcs/status", new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes($$"""{"fsm_state":"S{{i}}"}""")));
        await writer.StartAsync(CancellationToken.None);
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until && (store.Points.Count < 10 || !log.Entries.Any(e => e.Level == LogLevel.Error))) await Task.Delay(20);
        // Room again once the writer has read the queue.
        tap.Raise("dcs/status", new ReadOnlySequence<byte>("""{"fsm_state":"late"}"""u8.ToArray()));
        while (DateTime.UtcNow < until && store.Points.Count < 11) await Task.Delay(20);
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"S{i}"), "late"], store.Points.Select(p => (string)p.Fields[0].Value));
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Text.Contains("5 messages dropped"));
    }
}
