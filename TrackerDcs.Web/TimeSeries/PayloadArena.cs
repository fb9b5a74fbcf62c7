using System.Buffers;
using System.Collections.Concurrent;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// Copies of the payloads waiting in the writer's queue, packed into chunks instead of an array each: at high rates
/// the queue holds many thousands of them, and as separate young objects the garbage collector would move every one
/// that is still queued at a collection. Chunks are pinned (never moved) and reused. Thread-safe: the broker's
/// threads copy, the writer releases. A chunk is given back once it is full and every payload in it was released.
/// </summary>
public sealed class PayloadArena(int chunkBytes = 256 * 1024, int keptChunks = 16)
{
    public sealed class Chunk(int bytes)
    {
        internal readonly byte[] Buffer = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        internal int Used;
        // One for each payload not yet released, plus one while the arena still copies into the chunk.
        internal int References = 1;
    }

    private readonly Lock _gate = new();
    private readonly ConcurrentBag<Chunk> _free = [];
    private Chunk? _current;

    /// <summary>The payload's copy, and the chunk to <see cref="Release"/> once it is used (null: a payload of its own, too large for a chunk).</summary>
    public (Chunk? Chunk, ReadOnlyMemory<byte> Payload) Copy(in ReadOnlySequence<byte> payload)
    {
        var length = (int)payload.Length;
        if (length > chunkBytes / 8) return (null, payload.ToArray());
        lock (_gate)
        {
            if (_current is null || _current.Buffer.Length - _current.Used < length)
            {
                if (_current is not null) Release(_current);
                _current = _free.TryTake(out var reused) ? reused : new Chunk(chunkBytes);
            }
            var chunk = _current;
            var at = chunk.Used;
            payload.CopyTo(chunk.Buffer.AsSpan(at, length));
            chunk.Used += length;
            Interlocked.Increment(ref chunk.References);
            return (chunk, chunk.Buffer.AsMemory(at, length));
        }
    }

    public void Release(Chunk? chunk)
    {
        if (chunk is null || Interlocked.Decrement(ref chunk.References) != 0) return;
        // Nobody holds a payload of it and the arena has moved on: ready to be filled again.
        chunk.Used = 0;
        chunk.References = 1;
        if (_free.Count < keptChunks) _free.Add(chunk);
    }
}
