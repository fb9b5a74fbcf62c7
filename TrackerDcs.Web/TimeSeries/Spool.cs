using System.Globalization;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// Durable queue of line-protocol lines for InfluxDB, used while it does not take them (the shipper posts from
/// memory otherwise) and across restarts, kept in segment files.
/// <para>
/// Positions are logical byte positions that only grow: a segment file is named after the position of its
/// first byte (<c>spool-00000000000000000000.lp</c>), so a position says which segment and where in it. Lines
/// are appended to the newest segment, fsynced once per appended batch; a batch that would take it past the
/// segment size starts a new one. A second file holds the position of the first line not yet written to
/// InfluxDB (replaced atomically). A segment whose every line has been delivered is deleted, so the files
/// hold what is pending plus at most the newest segment, even when InfluxDB never catches up completely
/// while new readings keep arriving. The bound counts pending bytes only.
/// </para>
/// <para>
/// Lines are read back in the order they were appended, also after a restart. A crash between a delivery and
/// the position update replays that batch: InfluxDB keeps one point per series and time, so the replay
/// overwrites and does not double. A crash in the middle of an append leaves part of a line that was never
/// acknowledged: it is dropped on the next start. The single <c>spool.lp</c> of earlier versions is taken
/// over as the segment at position 0, its offset file as it is.
/// </para>
/// One writer (<see cref="TryAppend"/>) and one reader (<see cref="Peek"/>, <see cref="Commit"/>) may run
/// at the same time.
/// </summary>
public sealed class Spool : IDisposable
{
    public const long DefaultSegmentBytes = 8L * 1024 * 1024;
    private const string Prefix = "spool-";
    private const string Suffix = ".lp";

    private sealed class Segment(long start, string path)
    {
        public long Start { get; } = start;
        public string Path { get; } = path;
        public long Length { get; set; }
        public long End => Start + Length;
    }

    private readonly string _directory;
    private readonly string _offsetPath;
    private readonly long _maxBytes;
    private readonly long _segmentBytes;
    private readonly Lock _gate = new();
    /// <summary>Oldest first; never empty; the last one is open for appending.</summary>
    private readonly List<Segment> _segments = [];
    private FileStream _active;
    private long _offset;

    public Spool(string directory, long maxBytes, long segmentBytes = DefaultSegmentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentBytes);
        Directory.CreateDirectory(directory);
        _directory = directory;
        _offsetPath = System.IO.Path.Combine(directory, "spool.offset");
        _maxBytes = maxBytes;
        _segmentBytes = segmentBytes;

        var legacy = System.IO.Path.Combine(directory, "spool.lp");
        if (File.Exists(legacy))
        {
            File.Move(legacy, SegmentPath(0));
            SyncDirectory();
        }
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            var name = System.IO.Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var start))
                _segments.Add(new Segment(start, path));
        }
        _segments.Sort((a, b) => a.Start.CompareTo(b.Start));
        foreach (var segment in _segments) segment.Length = DropTornTail(segment.Path);

        var saved = File.Exists(_offsetPath) && long.TryParse(File.ReadAllText(_offsetPath), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
        if (_segments.Count == 0)
        {
            _offset = saved;
            _segments.Add(new Segment(saved, SegmentPath(saved)));
        }
        else
        {
            // No offset file yet, or one older than the oldest segment: everything there is replayed. One
            // beyond the data (the last line torn off after its delivery): everything is delivered.
            _offset = Math.Clamp(saved, _segments[0].Start, _segments[^1].End);
        }
        _active = Open(_segments[^1]);
        SyncDirectory();
        DeleteDelivered();
    }

    /// <summary>Bytes appended and not yet delivered.</summary>
    public long PendingBytes { get { lock (_gate) return Pending(); } }

    public bool IsEmpty => PendingBytes == 0;

    /// <summary>Segment files on disk, the newest included (for tests and diagnostics).</summary>
    public int SegmentCount { get { lock (_gate) return _segments.Count; } }

    /// <summary>Bytes in the segment files, delivered or not.</summary>
    public long DiskBytes { get { lock (_gate) return _segments.Sum(s => s.Length); } }

    /// <summary>Appends the lines durably, all or none, and in one segment; false when that would exceed the bound.</summary>
    public bool TryAppend(IReadOnlyList<string> lines)
    {
        using var batch = LineBatch.Of(lines);
        return TryAppend(batch);
    }

    /// <summary>Appends the batch durably, all or none, and in one segment; false when that would exceed the bound.</summary>
    public bool TryAppend(LineBatch batch)
    {
        if (batch.Count == 0) return true;
        var bytes = batch.Bytes.Span;
        lock (_gate)
        {
            if (Pending() + bytes.Length > _maxBytes) return false;
            var active = _segments[^1];
            if (active.Length > 0 && active.Length + bytes.Length > _segmentBytes)
            {
                _active.Dispose();
                active = new Segment(active.End, SegmentPath(active.End));
                _active = Open(active);
                SyncDirectory();
                _segments.Add(active);
            }
            try
            {
                _active.Seek(active.Length, SeekOrigin.Begin);
                _active.Write(bytes);
                _active.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                // A full disk: the part written must not come back as lines after a restart (the caller reports the batch lost).
                try { _active.SetLength(active.Length); } catch (IOException) { }
                throw;
            }
            active.Length += bytes.Length;
            return true;
        }
    }

    /// <summary>Up to <paramref name="max"/> lines from the oldest undelivered one, and the position after them.</summary>
    public (List<string> Lines, long End) Peek(int max)
    {
        var (batch, end) = PeekBatch(max);
        using (batch) return (batch.Lines(), end);
    }

    /// <summary>Up to <paramref name="max"/> lines from the oldest undelivered one as a batch (the caller disposes it), and the position after them.</summary>
    public (LineBatch Batch, long End) PeekBatch(int max)
    {
        long offset;
        List<(long Start, long End, string Path)> segments;
        lock (_gate)
        {
            offset = _offset;
            // Only segments with undelivered lines: no one deletes those before this reader commits past them.
            segments = _segments.Where(s => s.End > offset).Select(s => (s.Start, s.End, s.Path)).ToList();
        }
        var batch = new LineBatch();
        var end = offset;
        var buffer = new byte[64 * 1024];
        // Bytes of a line that continues into the next read; a line never spans two segments.
        var partial = new MemoryStream();
        foreach (var segment in segments)
        {
            if (batch.Count >= max) break;
            var from = Math.Max(offset, segment.Start);
            end = from;
            using var reader = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            reader.Seek(from - segment.Start, SeekOrigin.Begin);
            var remaining = segment.End - from;
            partial.SetLength(0);
            while (batch.Count < max && remaining > 0)
            {
                var read = reader.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                if (read <= 0) break;
                remaining -= read;
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
        }
        return (batch, end);
    }

    /// <summary>Marks everything before <paramref name="end"/> (from <see cref="Peek"/>) as delivered and deletes the segments it empties.</summary>
    public void Commit(long end)
    {
        lock (_gate)
        {
            if (end <= _offset) return;
            _offset = Math.Min(end, _segments[^1].End);
            // The position first: a crash before the deletions leaves delivered segments that the next start deletes.
            var temporary = _offsetPath + ".tmp";
            File.WriteAllText(temporary, _offset.ToString(CultureInfo.InvariantCulture));
            File.Move(temporary, _offsetPath, overwrite: true);
            DeleteDelivered();
        }
    }

    /// <summary>Deletes the segments before the one the offset is in; the newest stays, it takes the next lines.</summary>
    private void DeleteDelivered()
    {
        while (_segments.Count > 1 && _segments[0].End <= _offset)
        {
            File.Delete(_segments[0].Path);
            _segments.RemoveAt(0);
        }
        // A gap (a segment's torn tail dropped) is skipped: the offset is kept within the oldest segment.
        if (_offset < _segments[0].Start) _offset = _segments[0].Start;
    }

    private long Pending()
    {
        long pending = 0;
        foreach (var segment in _segments)
            if (segment.End > _offset) pending += segment.End - Math.Max(segment.Start, _offset);
        return pending;
    }

    private string SegmentPath(long start) => System.IO.Path.Combine(_directory, $"{Prefix}{start.ToString("D20", CultureInfo.InvariantCulture)}{Suffix}");

    /// <summary>
    /// Unbuffered (bufferSize 0): each batch is one write(2) and one fsync anyway, and a buffer would keep the bytes of
    /// a write the disk refused, to write them at the next seek or at the close, and stop the truncation that undoes it.
    /// </summary>
    private static FileStream Open(Segment segment) =>
        new(segment.Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, bufferSize: 0);

    /// <summary>A crash in the middle of an append leaves part of a line: it was never acknowledged, drop it. The length kept.</summary>
    private static long DropTornTail(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var length = file.Length;
        var keep = length;
        var one = new byte[1];
        while (keep > 0)
        {
            file.Seek(keep - 1, SeekOrigin.Begin);
            file.ReadExactly(one);
            if (one[0] == (byte)'\n') break;
            keep--;
        }
        if (keep != length)
        {
            file.SetLength(keep);
            file.Flush(flushToDisk: true);
        }
        return keep;
    }

    private void SyncDirectory() => DirectorySync.Sync(_directory);

    public void Dispose()
    {
        lock (_gate) _active.Dispose();
    }
}
