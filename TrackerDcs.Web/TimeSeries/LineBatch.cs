using System.Buffers;
using System.Text;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// Line protocol on its way to InfluxDB: UTF-8, every line ended by '\n', in one buffer rented from the shared
/// pool, so a batch of 5000 points costs no allocation per point and is posted or spooled as it is. Owned by one
/// party at a time (the store, then the shipper); <see cref="Dispose"/> returns the buffer.
/// </summary>
public sealed class LineBatch : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int _lineStart;

    public LineBatch(int capacity = 64 * 1024) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    /// <summary>Complete lines in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>The complete lines, each with its '\n'.</summary>
    public ReadOnlyMemory<byte> Bytes => _buffer.AsMemory(0, _lineStart);

    public static LineBatch Of(IEnumerable<string> lines)
    {
        var batch = new LineBatch();
        foreach (var line in lines) batch.Add(line);
        return batch;
    }

    public void Add(string line)
    {
        Encoding.UTF8.GetBytes(line, this);
        EndLine();
    }

    /// <summary>Appends complete lines (each ended by '\n') read from elsewhere, e.g. the spool.</summary>
    public void AddLines(ReadOnlySpan<byte> lines, int count)
    {
        lines.CopyTo(GetSpan(lines.Length));
        Advance(lines.Length);
        _lineStart = _length;
        Count += count;
    }

    public void EndLine()
    {
        GetSpan(1)[0] = (byte)'\n';
        Advance(1);
        _lineStart = _length;
        Count++;
    }

    /// <summary>Drops what was written since the last complete line (a point that turned out to have no field).</summary>
    public void DiscardLine() => _length = _lineStart;

    /// <summary>The lines as strings, without their '\n': for the v2 client, the dead letters and tests.</summary>
    public List<string> Lines()
    {
        var lines = new List<string>(Count);
        var rest = Bytes.Span;
        while (rest.Length > 0)
        {
            var end = rest.IndexOf((byte)'\n');
            lines.Add(Encoding.UTF8.GetString(rest[..end]));
            rest = rest[(end + 1)..];
        }
        return lines;
    }

    /// <summary>What was written since the last complete line.</summary>
    internal ReadOnlySpan<byte> Pending => _buffer.AsSpan(_lineStart, _length - _lineStart);

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Reserve(int sizeHint)
    {
        if (_buffer.Length - _length >= Math.Max(sizeHint, 1)) return;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + sizeHint));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = _lineStart = Count = 0;
    }
}
