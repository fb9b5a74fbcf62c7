using System.Buffers;
using TrackerDcs.Web.TimeSeries;

namespace TrackerDcs.Tests.TimeSeries;

/// <summary>A payload's copy keeps its bytes until it is released, whatever else is copied or released meanwhile.</summary>
public class PayloadArenaTests
{
    [Fact]
    public async Task Copies_keep_their_bytes_until_released_with_copiers_on_several_threads()
    {
        var seed = Environment.TickCount;
        var arena = new PayloadArena(chunkBytes: 1024, keptChunks: 2);
        var queue = new System.Collections.Concurrent.ConcurrentQueue<(byte[] Original, PayloadArena.Chunk? Chunk, ReadOnlyMemory<byte> Copy)>();
        var copiers = Enumerable.Range(0, 3).Select(t => Task.Run(() =>
        {
            var random = new Random(seed + t);
            for (var i = 0; i < 20_000; i++)
            {
                var original = new byte[random.Next(0, 200)];
                random.NextBytes(original);
                var (chunk, copy) = arena.Copy(new ReadOnlySequence<byte>(original));
                queue.Enqueue((original, chunk, copy));
            }
        })).ToArray();
        var checkedCount = 0;
        var reader = Task.Run(() =>
        {
            var held = new List<(byte[] Original, PayloadArena.Chunk? Chunk, ReadOnlyMemory<byte> Copy)>();
            var random = new Random(seed);
            while (checkedCount < 60_000)
            {
                while (queue.TryDequeue(out var item)) held.Add(item);
                // Release some, in any order, each checked just before.
                for (var n = random.Next(0, held.Count + 1); n > 0; n--)
                {
                    var at = random.Next(held.Count);
                    var (original, chunk, copy) = held[at];
                    Assert.True(copy.Span.SequenceEqual(original), $"seed {seed}: a copy changed before it was released");
                    arena.Release(chunk);
                    held[at] = held[^1];
                    held.RemoveAt(held.Count - 1);
                    checkedCount++;
                }
            }
        });
        await Task.WhenAll([.. copiers, reader]).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(60_000, checkedCount);
    }

    [Fact]
    public void A_payload_too_large_for_a_chunk_gets_its_own_array()
    {
        var arena = new PayloadArena(chunkBytes: 1024);
        var (chunk, copy) = arena.Copy(new ReadOnlySequence<byte>(new byte[500]));
        Assert.Null(chunk);
        Assert.Equal(500, copy.Length);
        arena.Release(chunk);
    }
}
