namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// Durable queue of line-protocol lines for InfluxDB, used while it does not take them (the shipper posts from
/// memory otherwise) and across restarts: an append-only file, fsynced once
/// per appended batch, and the byte offset of the first line not yet written to InfluxDB in a second file
/// (replaced atomically). Lines are read back in the order they were appended, also after a restart. Once
/// everything is delivered the file is truncated. A crash between a delivery and the offset update replays
/// that batch: InfluxDB keeps one point per series and time, so the replay overwrites and does not double.
/// </summary>
public sealed class Spool : IDisposable
{
    private readonly string _path;
    private readonly string _offsetPath;
    private readonly long _maxBytes;
    private readonly Lock _gate = new();
    private readonly FileStream _file;
    private long _offset;

    public Spool(string directory, long maxBytes)
    {
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, "spool.lp");
        _offsetPath = Path.Combine(directory, "spool.offset");
        _maxBytes = maxBytes;
        _file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        DropTornTail();
        _offset = File.Exists(_offsetPath) && long.TryParse(File.ReadAllText(_offsetPath), out var o) ? o : 0;
        // The file was truncated but the offset not yet reset when the process stopped.
        if (_offset > _file.Length) _offset = 0;
        _file.Seek(0, SeekOrigin.End);
    }

    /// <summary>Bytes appended and not yet delivered.</summary>
    public long PendingBytes { get { lock (_gate) return _file.Length - _offset; } }

    public bool IsEmpty => PendingBytes == 0;

    /// <summary>Appends the lines durably, all or none; false when that would exceed the bound.</summary>
    public bool TryAppend(IReadOnlyList<string> lines)
    {
        using var batch = LineBatch.Of(lines);
        return TryAppend(batch);
    }

    /// <summary>Appends the batch durably, all or none; false when that would exceed the bound.</summary>
    public bool TryAppend(LineBatch batch)
    {
        lock (_gate)
        {
            if (_file.Length - _offset + batch.Bytes.Length > _maxBytes) return false;
            _file.Seek(0, SeekOrigin.End);
            _file.Write(batch.Bytes.Span);
            _file.Flush(flushToDisk: true);
            return true;
        }
    }

    /// <summary>Up to <paramref name="max"/> lines from the oldest undelivered one, and the offset after them.</summary>
    public (List<string> Lines, long End) Peek(int max)
    {
        var (batch, end) = PeekBatch(max);
        using (batch) return (batch.Lines(), end);
    }

    /// <summary>Up to <paramref name="max"/> lines from the oldest undelivered one as a batch (the caller disposes it), and the offset after them.</summary>
    public (LineBatch Batch, long End) PeekBatch(int max)
    {
        long start, length;
        lock (_gate) (start, length) = (_offset, _file.Length);
        var batch = new LineBatch();
        using var reader = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        reader.Seek(start, SeekOrigin.Begin);
        var end = start;
        var buffer = new byte[64 * 1024];
        // Bytes of a line that continues into the next read.
        var partial = new MemoryStream();
        while (batch.Count < max && end + partial.Length < length)
        {
            var read = reader.Read(buffer, 0, (int)Math.Min(buffer.Length, length - end - partial.Length));
            if (read <= 0) break;
            var chunk = buffer.AsSpan(0, read);
            var lines = 0;
            var taken = 0;
            for (var i = chunk.IndexOf((byte)'\n'); i >= 0 && batch.Count + lines < max; i = chunk[taken..].IndexOf((byte)'\n'))
            {
                taken += i + 1;
                lines++;
            }
            if (lines > 0)
            {
                // The partial line from before, then the complete lines of this read.
                partial.Write(chunk[..taken]);
                batch.AddLines(partial.GetBuffer().AsSpan(0, (int)partial.Length), lines);
                end += partial.Length;
                partial.SetLength(0);
            }
            if (batch.Count >= max) break;
            partial.Write(chunk[taken..]);
        }
        return (batch, end);
    }

    /// <summary>Marks everything before <paramref name="end"/> (from <see cref="Peek"/>) as delivered.</summary>
    public void Commit(long end)
    {
        lock (_gate)
        {
            if (end >= _file.Length)
            {
                _file.SetLength(0);
                _file.Flush(flushToDisk: true);
                end = 0;
            }
            _offset = end;
            var temporary = _offsetPath + ".tmp";
            File.WriteAllText(temporary, end.ToString());
            File.Move(temporary, _offsetPath, overwrite: true);
        }
    }

    /// <summary>A crash in the middle of an append leaves part of a line: it was never acknowledged, drop it.</summary>
    private void DropTornTail()
    {
        var length = _file.Length;
        var keep = length;
        var one = new byte[1];
        while (keep > 0)
        {
            _file.Seek(keep - 1, SeekOrigin.Begin);
            _file.ReadExactly(one);
            if (one[0] == (byte)'\n') break;
            keep--;
        }
        if (keep != length) _file.SetLength(keep);
    }

    public void Dispose() => _file.Dispose();
}
