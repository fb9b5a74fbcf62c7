using System.Buffers.Binary;
using System.IO.Compression;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>One rollup interval of one signal: how many readings, their extremes, the first, the last and the mean.</summary>
public readonly record struct RollupSlot(long StartMs, int Count, double Min, double Max, double First, double Last, double Mean);

/// <summary>
/// The embedded store's long-term tier: the rollup slots of one signal over one chunk (60 intervals: an hour of
/// minutes) in one compressed blob. Readings are decimal numbers with a few digits, so each column is kept as
/// integers scaled by the smallest power of ten that holds every value exactly, written as zig-zag varint deltas,
/// and the whole is deflated: a constant signal costs a few bytes an hour, a noisy one a few bytes a minute. A
/// column that no scale holds exactly is kept as raw doubles (XOR with the previous value), so min, max, first and
/// last always decode to the very doubles that were read. The mean is rounded to two digits more than the
/// readings have, which keeps it compressible and far below any sensor's resolution.
/// </summary>
public static class RollupChunk
{
    public const int Slots = 60;
    private const byte Version = 1;
    private const byte RawDoubles = 255;
    private const int MaxScale = 9;
    private static readonly double[] Powers = [.. Enumerable.Range(0, MaxScale + 1).Select(i => Math.Pow(10, i))];

    public static byte[] Encode(long chunkStartMs, long intervalMs, IReadOnlyList<RollupSlot> slots)
    {
        using var payload = new MemoryStream();
        var writer = new VarintWriter(payload);
        writer.Write((ulong)intervalMs);
        writer.Write((ulong)slots.Count);
        foreach (var s in slots) writer.Write((ulong)((s.StartMs - chunkStartMs) / intervalMs));
        foreach (var s in slots) writer.Write((ulong)s.Count);
        var scale = WriteColumn(writer, slots, s => s.Min);
        WriteColumn(writer, slots, s => s.Max);
        WriteColumn(writer, slots, s => s.First);
        WriteColumn(writer, slots, s => s.Last);
        var meanDigits = scale == RawDoubles ? -1 : Math.Min(scale + 2, MaxScale);
        WriteColumn(writer, slots, s => meanDigits < 0 ? s.Mean : Math.Round(s.Mean, meanDigits));
        using var blob = new MemoryStream();
        blob.WriteByte(Version);
        using (var deflate = new DeflateStream(blob, CompressionLevel.Optimal, leaveOpen: true)) payload.WriteTo(deflate);
        return blob.ToArray();
    }

    /// <summary>The slots of a blob that starts its chunk at <paramref name="chunkStartMs"/>, in time order.</summary>
    public static List<RollupSlot> Decode(long chunkStartMs, byte[] blob)
    {
        if (blob.Length == 0 || blob[0] != Version) throw new InvalidDataException($"rollup chunk of version {(blob.Length == 0 ? "none" : blob[0])}, expected {Version}");
        using var payload = new MemoryStream();
        using (var deflate = new DeflateStream(new MemoryStream(blob, 1, blob.Length - 1), CompressionMode.Decompress)) deflate.CopyTo(payload);
        var reader = new VarintReader(payload.GetBuffer().AsSpan(0, (int)payload.Length));
        var intervalMs = (long)reader.Read();
        var count = (int)reader.Read();
        var starts = new long[count];
        for (var i = 0; i < count; i++) starts[i] = chunkStartMs + (long)reader.Read() * intervalMs;
        var counts = new int[count];
        for (var i = 0; i < count; i++) counts[i] = (int)reader.Read();
        var min = ReadColumn(ref reader, count);
        var max = ReadColumn(ref reader, count);
        var first = ReadColumn(ref reader, count);
        var last = ReadColumn(ref reader, count);
        var mean = ReadColumn(ref reader, count);
        var slots = new List<RollupSlot>(count);
        for (var i = 0; i < count; i++) slots.Add(new RollupSlot(starts[i], counts[i], min[i], max[i], first[i], last[i], mean[i]));
        return slots;
    }

    /// <summary>Writes one column; returns the decimal scale it used, or <see cref="RawDoubles"/>.</summary>
    private static byte WriteColumn(VarintWriter writer, IReadOnlyList<RollupSlot> slots, Func<RollupSlot, double> select)
    {
        var values = slots.Select(select).ToArray();
        var scale = ScaleOf(values);
        writer.WriteByte(scale);
        if (scale == RawDoubles)
        {
            ulong previous = 0;
            Span<byte> bytes = stackalloc byte[8];
            foreach (var v in values)
            {
                var bits = (ulong)BitConverter.DoubleToInt64Bits(v);
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, bits ^ previous);
                writer.WriteBytes(bytes);
                previous = bits;
            }
        }
        else
        {
            long previous = 0;
            foreach (var v in values)
            {
                var scaled = (long)Math.Round(v * Powers[scale]);
                writer.Write(ZigZag(scaled - previous));
                previous = scaled;
            }
        }
        return scale;
    }

    private static double[] ReadColumn(ref VarintReader reader, int count)
    {
        var values = new double[count];
        var scale = reader.ReadByte();
        if (scale == RawDoubles)
        {
            ulong previous = 0;
            for (var i = 0; i < count; i++)
            {
                previous ^= BinaryPrimitives.ReadUInt64LittleEndian(reader.ReadBytes(8));
                values[i] = BitConverter.Int64BitsToDouble((long)previous);
            }
        }
        else
        {
            if (scale > MaxScale) throw new InvalidDataException($"rollup column scale {scale}");
            long previous = 0;
            for (var i = 0; i < count; i++)
            {
                previous += UnZigZag(reader.Read());
                values[i] = previous / Powers[scale];
            }
        }
        return values;
    }

    /// <summary>The smallest number of decimals with which every value decodes to the same double, or <see cref="RawDoubles"/>.</summary>
    private static byte ScaleOf(double[] values)
    {
        for (byte scale = 0; scale <= MaxScale; scale++)
        {
            var exact = true;
            foreach (var v in values)
            {
                var scaled = Math.Round(v * Powers[scale]);
                // Beyond 2^53 integers are no longer exact doubles: the raw form is used instead.
                if (!double.IsFinite(v) || Math.Abs(scaled) > 9e15 || scaled / Powers[scale] != v)
                {
                    exact = false;
                    break;
                }
            }
            if (exact) return scale;
        }
        return RawDoubles;
    }

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));
    private static long UnZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    private sealed class VarintWriter(Stream stream)
    {
        public void Write(ulong value)
        {
            while (value >= 0x80)
            {
                stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            stream.WriteByte((byte)value);
        }

        public void WriteByte(byte value) => stream.WriteByte(value);
        public void WriteBytes(ReadOnlySpan<byte> bytes) => stream.Write(bytes);
    }

    private ref struct VarintReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public ulong Read()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = ReadByte();
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return value;
            }
            throw new InvalidDataException("rollup chunk: varint too long");
        }

        public byte ReadByte() => _position < _data.Length ? _data[_position++] : throw new InvalidDataException("rollup chunk truncated");

        public ReadOnlySpan<byte> ReadBytes(int count)
        {
            if (_position + count > _data.Length) throw new InvalidDataException("rollup chunk truncated");
            var span = _data.Slice(_position, count);
            _position += count;
            return span;
        }
    }
}
