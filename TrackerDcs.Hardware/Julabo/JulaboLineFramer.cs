using System.Text;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// Cuts a byte stream into lines, with no I/O. Replies end with CR LF and commands with CR, so either
/// character ends a line and the empty line between CR and LF is dropped. A run of bytes with no
/// terminator longer than <see cref="MaxLineLength"/> is handed out as a line of its own, so that
/// noise cannot grow the buffer without bound; its parse then fails and quotes it.
/// </summary>
public sealed class JulaboLineFramer
{
    public const int MaxLineLength = 256;

    private readonly StringBuilder _partial = new();

    /// <summary>Bytes are decoded as Latin-1 so that every byte survives into the error message.</summary>
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
            if (_partial.Length >= MaxLineLength) lines.Add(Take());
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
