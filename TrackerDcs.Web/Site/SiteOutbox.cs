using System.Text;
using System.Text.Json;
using TrackerDcs.Web.Storage;

namespace TrackerDcs.Web.Site;

/// <summary>One message for the site: its site topic and payload.</summary>
public sealed record SiteMessage(string Topic, string Payload);

/// <summary>
/// What the uplink owes the site. Events (alarm events, run and procedure events, replies to the site's commands) wait
/// in order in a bounded queue that is also on disk (data/site-outbox.jsonl, one JSON line each), so a restart of the
/// stand while the site is away loses none; an event leaves only after the site acknowledged it (PUBACK), so delivery is
/// at least once: an event acknowledged just before a crash may come twice. Latest values (statuses, channels, the
/// heartbeat) are kept once per topic in memory and sent as their last value. When the queue is full the oldest events
/// go, counted.
/// </summary>
public sealed class SiteOutbox : IDisposable
{
    /// <summary>Acknowledged events rewritten out of the file once this many have piled up at its head.</summary>
    private const int CompactAfter = 1000;
    private readonly object _lock = new();
    private readonly LinkedList<SiteMessage> _events = new();
    private readonly Dictionary<string, string> _latest = [];
    private readonly HashSet<string> _dirty = [];
    private readonly int _limit;
    private readonly string _path;
    private FileStream _file;
    private int _acknowledgedInFile;
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public SiteOutbox(DataDirectory data, int limit)
    {
        _limit = limit;
        _path = data.File("site-outbox.jsonl");
        if (File.Exists(_path))
            foreach (var line in File.ReadLines(_path))
            {
                // A line torn by a crash during its append was never acknowledged to anybody: it is dropped.
                try
                {
                    if (JsonSerializer.Deserialize<SiteMessage>(line) is { Topic: not null, Payload: not null } message) _events.AddLast(message);
                }
                catch (JsonException) { }
            }
        while (_events.Count > _limit) { _events.RemoveFirst(); Dropped++; }
        _file = Open(_path, FileMode.Create);
        foreach (var message in _events) Append(message);
        _file.Flush(flushToDisk: true);
    }

    /// <summary>Events dropped because the queue was full, since the start.</summary>
    public long Dropped { get; private set; }

    public int Pending { get { lock (_lock) return _events.Count; } }

    /// <summary>Released whenever there is something new to send.</summary>
    public SemaphoreSlim Signal => _signal;

    private static FileStream Open(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = DataDirectory.PrivateFile;
        return new FileStream(path, options);
    }

    private void Append(SiteMessage message)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message) + "\n");
        _file.Write(line);
    }

    /// <summary>An event: on disk before this returns; the oldest goes when the queue is full.</summary>
    public void AddEvent(SiteMessage message)
    {
        lock (_lock)
        {
            _events.AddLast(message);
            Append(message);
            _file.Flush(flushToDisk: true);
            if (_events.Count > _limit)
            {
                _events.RemoveFirst();
                Dropped++;
                _acknowledgedInFile++;
                CompactIfDue();
            }
        }
        _signal.Release();
    }

    public void SetLatest(SiteMessage message)
    {
        lock (_lock)
        {
            _latest[message.Topic] = message.Payload;
            _dirty.Add(message.Topic);
        }
        _signal.Release();
    }

    /// <summary>After a (re)connection: every latest value is sent again, since the site may have missed any of them.</summary>
    public void MarkAllLatest()
    {
        lock (_lock) _dirty.UnionWith(_latest.Keys);
        _signal.Release();
    }

    /// <summary>The oldest event not yet acknowledged, or null.</summary>
    public SiteMessage? PeekEvent()
    {
        lock (_lock) return _events.First?.Value;
    }

    /// <summary>The site acknowledged <paramref name="message"/>, the head of the queue.</summary>
    public void Acknowledge(SiteMessage message)
    {
        lock (_lock)
        {
            if (_events.First?.Value != message) return;
            _events.RemoveFirst();
            _acknowledgedInFile++;
            CompactIfDue();
        }
    }

    /// <summary>A latest value to send (its last one), taken off the list of those owed; null when none is owed.</summary>
    public SiteMessage? TakeLatest()
    {
        lock (_lock)
        {
            if (_dirty.Count == 0) return null;
            var topic = _dirty.First();
            _dirty.Remove(topic);
            return new SiteMessage(topic, _latest[topic]);
        }
    }

    /// <summary>A latest value whose send failed: owed again (unless a newer one came meanwhile, which is owed anyway).</summary>
    public void Owe(SiteMessage message)
    {
        lock (_lock) _dirty.Add(message.Topic);
    }

    /// <summary>The file holds the pending events only: emptied when the queue is, rewritten when acknowledged ones pile up.</summary>
    private void CompactIfDue()
    {
        if (_events.Count == 0)
        {
            _file.SetLength(0);
            _file.Position = 0;
            _file.Flush(flushToDisk: true);
            _acknowledgedInFile = 0;
            return;
        }
        if (_acknowledgedInFile < CompactAfter) return;
        var temporary = _path + ".tmp";
        using (var rewrite = Open(temporary, FileMode.Create))
        {
            foreach (var message in _events) rewrite.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message) + "\n"));
            rewrite.Flush(flushToDisk: true);
        }
        _file.Dispose();
        File.Move(temporary, _path, overwrite: true);
        _file = Open(_path, FileMode.Append);
        _acknowledgedInFile = 0;
    }

    public void Dispose()
    {
        lock (_lock) _file.Dispose();
        _signal.Dispose();
    }
}
