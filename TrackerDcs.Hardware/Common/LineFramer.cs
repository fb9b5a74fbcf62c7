using System.Text;

namespace TrackerDcs.Hardware.Common;

/// <summary>
/// Cuts a byte stream into lines, with no I/O. Either CR or LF ends a line, so commands ended with CR,
/// replies ended with LF or CR LF all frame the same way, and the empty line between CR and LF is dropped.
/// A run of bytes with no terminator as long as <paramref name="maxLineLength"/> is handed out as a line
/// of its own, so that noise cannot grow the buffer without bound; its parse then fails and quotes it.
/// </summary>
public sealed class LineFramer(int maxLineLength = LineFramer.DefaultMaxLineLength)
{
    public const int DefaultMaxLineLength = 256;

    private readonly StringBuilder _partial = new();

    /// <summary>Bytes are decoded as Latin-1 so that every byte survives into an error message.</summary>
    public IReadOnlyList<string> Push(ReadOnlySpan<byte> bytes)
    {
        var lines = new List<string>();
        foreach (var b in bytes)
        {
            if (b is (byte)'\r' or (byte)'\n')
            {
                if (_partial.Length > 0) lines.Add(Take());
                continue;
            }
            _partial.Append((char)b);
            if (_partial.Length >= maxLineLength) lines.Add(Take());
        }
        return lines;
    }

    /// <summary>Forgets a half-received line, when resynchronising after noise or a time-out.</summary>
    public void Clear() => _partial.Clear();

    private string Take()
    {
        var line = _partial.ToString();
        _partial.Clear();
        return line;
    }
}
