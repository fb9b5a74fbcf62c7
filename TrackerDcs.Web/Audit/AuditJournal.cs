using System.Text;
using System.Text.Json;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Audit;

/// <summary>
/// The audit rows of interlock actions that ran while the database could not take them (a full data disk).
/// The file is preallocated with zeros at start, so that writing into it needs no new space when the disk is
/// full: rows are JSON lines written over the zeros, the first zero byte is the end. Imported into the audit
/// (and zeroed again, in place) once the database takes rows again.
/// </summary>
public sealed class AuditJournal
{
    /// <summary>Room for about a hundred rows: an interlock acts a few times, then the operator frees the disk.</summary>
    public const int Size = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly string _path;
    private int _end;

    public AuditJournal(DataDirectory data)
    {
        _path = data.File("audit-journal.jsonl");
        using var file = Open();
        var bytes = Read(file);
        _end = Array.IndexOf(bytes, (byte)0) is var zero and >= 0 ? zero : bytes.Length;
        if (file.Length < Size)
        {
            // Real zeros, not SetLength: a sparse file would still need blocks when the disk is full.
            file.Position = file.Length;
            file.Write(new byte[Size - file.Length]);
            file.Flush(flushToDisk: true);
        }
    }

    public string Path => _path;

    public bool IsEmpty { get { lock (_lock) return _end == 0; } }

    /// <summary>Writes one row over the zeros; throws when it does not fit or the write fails.</summary>
    public void Append(JournaledCommand row)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(row) + "\n");
        lock (_lock)
        {
            if (_end + line.Length > Size) throw new IOException($"the audit journal {_path} is full ({Size} bytes)");
            using var file = Open();
            file.Position = _end;
            file.Write(line);
            file.Flush(flushToDisk: true);
            _end += line.Length;
        }
    }

    /// <summary>Hands the journaled rows to <paramref name="store"/> and, once it took them all, zeroes the journal in place.</summary>
    public int Drain(Action<IReadOnlyList<JournaledCommand>> store)
    {
        lock (_lock)
        {
            if (_end == 0) return 0;
            using var file = Open();
            var bytes = Read(file);
            var entries = Encoding.UTF8.GetString(bytes, 0, _end)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonSerializer.Deserialize<JournaledCommand>(l)!)
                .ToList();
            store(entries);
            file.Position = 0;
            file.Write(new byte[_end]);
            file.Flush(flushToDisk: true);
            _end = 0;
            return entries.Count;
        }
    }

    private FileStream Open() => new(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);

    private static byte[] Read(FileStream file)
    {
        var bytes = new byte[file.Length];
        file.Position = 0;
        file.ReadExactly(bytes);
        return bytes;
    }
}

/// <summary>A command that ran while its audit row could not be written: what the row will hold.</summary>
public sealed record JournaledCommand(DateTimeOffset Time, CommandRequest Request, bool Ok, string Result);
