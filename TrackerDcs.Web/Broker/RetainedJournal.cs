using System.Globalization;
using System.Threading.Channels;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// The broker's retained messages on disk: a snapshot plus an append-only journal of the changes since.
/// <para>
/// <b>Durable before acknowledged.</b> <see cref="TryAppend"/> applies a change in memory and queues it; one
/// writer appends what is queued to the journal and fsyncs once for the whole batch (group commit: the
/// publishers that arrive during one fsync share the next), then completes their tasks. The broker acknowledges
/// a retained publish only when its task has completed, so a SIGKILL or power cut loses nothing acknowledged.
/// </para>
/// <para>
/// <b>Journal files.</b> The journal is a series of files <c>journal.&lt;generation&gt;</c>, each a sequence of
/// frames (length, CRC-32, body; <see cref="RetainedRecord"/>). A crash can tear the last frame: on start, reading
/// stops at the first frame that is short or fails its checksum, and what follows is dropped with a warning.
/// It was never acknowledged (its fsync had not returned), so nothing acknowledged is lost, and the start goes on.
/// </para>
/// <para>
/// <b>Compaction.</b> Once the current journal file holds more than <c>compactAfterBytes</c>, the writer moves on
/// to a new generation and, in the background, the state as of that switch is written as a snapshot: to a
/// temporary file, fsynced, renamed over <c>snapshot</c>, the directory fsynced; only then are the journal files
/// it covers deleted (the snapshot names the last generation it covers). A crash at any point leaves either the
/// old snapshot and every journal after it, or the new one and every journal after it. No file is rewritten
/// per change. A start that replayed journal files compacts them at once, so every run begins with a snapshot and
/// an empty journal.
/// </para>
/// <para>
/// <b>A failed write</b> (disk full, I/O error) cannot be retried safely: after a failed fsync, Linux may have
/// dropped the pages and a second fsync can report success for data that is gone. The journal then refuses
/// every further change until the process restarts and reads back what is really on disk; <see cref="Failure"/>
/// says why, and the broker reports it (readiness, log).
/// </para>
/// </summary>
public sealed class RetainedJournal : IAsyncDisposable
{
    public const long DefaultCompactAfterBytes = 4L * 1024 * 1024;
    private const string JournalPrefix = "journal.";
    private const string SnapshotName = "snapshot";
    /// <summary>"TDRS", then a format version byte, then the last journal generation the snapshot covers.</summary>
    private static readonly byte[] SnapshotMagic = "TDRS\u0001"u8.ToArray();

    private readonly record struct Pending(RetainedRecord Record, long Generation, TaskCompletionSource? Durable);

    private readonly string _directory;
    private readonly ILogger _log;
    private readonly long _compactAfterBytes;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RetainedRecord> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _owned = new(StringComparer.Ordinal);
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private Task _writer = Task.CompletedTask;
    private long _generation;
    private Task _compaction = Task.CompletedTask;
    private FileStream? _file;
    private long _fileGeneration = -1;
    private long _fileBytes;
    private Exception? _failure;

    private RetainedJournal(string directory, ILogger log, long compactAfterBytes)
    {
        _directory = directory;
        _log = log;
        _compactAfterBytes = compactAfterBytes;
    }

    /// <summary>
    /// Opens the store in <paramref name="directory"/> (created owner-only), replaying the snapshot and the journal.
    /// <paramref name="import"/> gives the messages of an older format, read only when the directory holds nothing yet.
    /// </summary>
    public static RetainedJournal Open(string directory, ILogger log, Func<IEnumerable<RetainedRecord>>? import = null,
        long compactAfterBytes = DefaultCompactAfterBytes)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, DataDirectory.PrivateDirectory);
        var journal = new RetainedJournal(directory, log, compactAfterBytes);
        journal.Replay(import);
        journal._writer = Task.Run(journal.WriteLoopAsync);
        return journal;
    }

    /// <summary>Why changes are refused (a write or fsync failed), or null.</summary>
    public string? Failure { get { lock (_gate) return _failure?.Message; } }

    /// <summary>The retained messages now, changes not yet durable included.</summary>
    public IReadOnlyList<RetainedRecord> Messages { get { lock (_gate) return [.. _messages.Values]; } }

    /// <summary>How many retained messages <paramref name="owner"/> holds, changes not yet durable included.</summary>
    public int OwnedBy(string owner) { lock (_gate) return _owned.GetValueOrDefault(owner); }

    /// <summary>Journal files on disk (for tests and diagnostics).</summary>
    public IReadOnlyList<string> JournalFiles => [.. Directory.EnumerateFiles(_directory, JournalPrefix + "*").Order()];

    /// <summary>
    /// Applies the change and queues it for the journal; the task completes once it is on disk, and fails when it
    /// cannot be (then the change must not be acknowledged). Null, and nothing changed, when the change would give
    /// its owner more than <paramref name="maxOwned"/> retained messages (replacing one of its own or deleting is
    /// always allowed).
    /// </summary>
    public Task? TryAppend(RetainedRecord record, int maxOwned = int.MaxValue)
    {
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_failure is not null) return Task.FromException(new IOException($"retained messages cannot be saved: {_failure.Message}", _failure));
            var previous = _messages.GetValueOrDefault(record.Topic);
            if (!record.IsDelete && previous?.Owner != record.Owner && _owned.GetValueOrDefault(record.Owner) >= maxOwned) return null;
            Apply(record);
            // Unbounded, single reader: TryWrite only fails once the channel is completed at shutdown.
            if (!_queue.Writer.TryWrite(new Pending(record, _generation, durable)))
                return Task.FromException(new ObjectDisposedException(nameof(RetainedJournal)));
        }
        return durable.Task;
    }

    /// <summary>Applies a change to the in-memory state; under <see cref="_gate"/> (or before the writer starts).</summary>
    private void Apply(RetainedRecord record)
    {
        if (_messages.Remove(record.Topic, out var previous)) Count(previous.Owner, -1);
        if (record.IsDelete) return;
        _messages[record.Topic] = record;
        Count(record.Owner, +1);
    }

    private void Count(string owner, int delta)
    {
        var count = _owned.GetValueOrDefault(owner) + delta;
        if (count == 0) _owned.Remove(owner);
        else _owned[owner] = count;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            // Everything queued while the previous fsync ran goes into this one.
            while (_queue.Reader.TryRead(out var pending)) batch.Add(pending);
            Exception? failure;
            lock (_gate) failure = _failure;
            if (failure is null)
            {
                try
                {
                    WriteBatch(batch);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    lock (_gate) _failure = failure = e;
                    _log.LogCritical("Retained messages can no longer be saved to {Directory} ({Error}): retained publishes are refused until TrackerDcs restarts",
                        _directory, e.Message);
                }
            }
            foreach (var pending in batch)
                if (failure is null) pending.Durable?.TrySetResult();
                else pending.Durable?.TrySetException(new IOException($"retained messages cannot be saved: {failure.Message}", failure));
            if (failure is null) CompactIfDue();
        }
        _file?.Dispose();
    }

    private void WriteBatch(List<Pending> batch)
    {
        foreach (var pending in batch)
        {
            if (pending.Generation != _fileGeneration) OpenJournalFile(pending.Generation);
            var before = _file!.Position;
            pending.Record.WriteFrame(_file);
            _fileBytes += _file.Position - before;
        }
        _file!.Flush(flushToDisk: true);
    }

    private void OpenJournalFile(long generation)
    {
        // The previous file was fsynced with its last batch.
        _file?.Dispose();
        _file = new FileStream(JournalPath(generation), DataDirectory.PrivateWrite(FileMode.Append));
        _fileGeneration = generation;
        _fileBytes = _file.Length;
        DirectorySync.Sync(_directory);
    }

    private void CompactIfDue()
    {
        if (_fileBytes < _compactAfterBytes || !_compaction.IsCompleted) return;
        List<RetainedRecord> state;
        long covered;
        lock (_gate)
        {
            // Everything queued until now has this generation and is in the state copied here; later changes go to
            // the next journal file, which the snapshot does not cover.
            covered = _generation++;
            state = [.. _messages.Values];
        }
        _compaction = Task.Run(() => Compact(state, covered));
    }

    private void Compact(List<RetainedRecord> state, long covered)
    {
        try
        {
            WriteSnapshot(state, covered);
            DeleteJournalsUpTo(covered);
        }
        catch (IOException e)
        {
            // The journal files stay: the state is still complete on disk, only larger. Tried again at the next threshold.
            _log.LogError("Compacting the retained messages in {Directory} failed: {Error}", _directory, e.Message);
        }
    }

    private void WriteSnapshot(IEnumerable<RetainedRecord> state, long covered)
    {
        var temporary = Path.Combine(_directory, SnapshotName + ".tmp");
        using (var file = new FileStream(temporary, DataDirectory.PrivateWrite()))
        {
            file.Write(SnapshotMagic);
            Span<byte> generation = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(generation, covered);
            file.Write(generation);
            foreach (var record in state) record.WriteFrame(file);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path.Combine(_directory, SnapshotName), overwrite: true);
        DirectorySync.Sync(_directory);
    }

    private void DeleteJournalsUpTo(long covered)
    {
        foreach (var (generation, path) in JournalGenerations())
            if (generation <= covered) File.Delete(path);
    }

    private void Replay(Func<IEnumerable<RetainedRecord>>? import)
    {
        var covered = ReadSnapshot();
        var journals = JournalGenerations().Where(j => j.Generation > covered).OrderBy(j => j.Generation).ToList();
        DeleteJournalsUpTo(covered);
        foreach (var (_, path) in journals)
        {
            var data = File.ReadAllBytes(path);
            var records = RetainedRecord.ReadFrames(data, out var valid);
            foreach (var record in records) Apply(record);
            if (valid < data.Length)
                _log.LogWarning("Retained journal {Path}: the last {Bytes} bytes are an incomplete or damaged record (a crash while it was written, before it was acknowledged); dropped",
                    path, data.Length - valid);
        }
        var compact = journals.Count > 0;
        var empty = journals.Count == 0 && !File.Exists(Path.Combine(_directory, SnapshotName));
        if (empty && import?.Invoke().ToList() is { Count: > 0 } imported)
        {
            foreach (var record in imported) Apply(record);
            compact = true; // the imported messages go into the first snapshot
        }
        _generation = Math.Max(covered, journals.Count == 0 ? -1 : journals[^1].Generation) + 1;
        if (compact)
        {
            // Start on a snapshot and an empty journal: the torn tails, if any, go with the files they were in.
            WriteSnapshot(_messages.Values, _generation - 1);
            DeleteJournalsUpTo(_generation - 1);
        }
    }

    /// <summary>Loads the snapshot into the state; the last journal generation it covers, -1 when there is none.</summary>
    private long ReadSnapshot()
    {
        var path = Path.Combine(_directory, SnapshotName);
        if (!File.Exists(path)) return -1;
        var data = File.ReadAllBytes(path);
        var header = SnapshotMagic.Length + 8;
        if (data.Length < header || !data.AsSpan(0, SnapshotMagic.Length).SequenceEqual(SnapshotMagic))
        {
            // Written whole and renamed into place, a snapshot is never torn: this one was damaged or replaced.
            // Keep it for a human and go on with the journals.
            File.Move(path, path + ".unreadable", overwrite: true);
            _log.LogError("Retained snapshot {Path} is not a snapshot; kept as {Aside}, starting from the journal alone", path, path + ".unreadable");
            return -1;
        }
        var covered = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(SnapshotMagic.Length));
        var records = RetainedRecord.ReadFrames(data.AsSpan(header), out var valid);
        foreach (var record in records) Apply(record);
        if (header + valid < data.Length)
            _log.LogError("Retained snapshot {Path} is damaged after {Count} messages; the rest of it is lost", path, records.Count);
        return covered;
    }

    private IEnumerable<(long Generation, string Path)> JournalGenerations()
    {
        foreach (var path in Directory.EnumerateFiles(_directory, JournalPrefix + "*"))
            if (long.TryParse(Path.GetFileName(path).AsSpan(JournalPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
                yield return (generation, path);
    }

    private string JournalPath(long generation) =>
        Path.Combine(_directory, JournalPrefix + generation.ToString("D20", CultureInfo.InvariantCulture));

    /// <summary>Writes what is queued, waits for a compaction under way, and closes the journal.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate) _queue.Writer.TryComplete();
        await _writer;
        await _compaction;
    }
}
