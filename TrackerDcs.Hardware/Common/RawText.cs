using System.Text;

namespace TrackerDcs.Hardware.Common;

/// <summary>Shows what came down a wire in an error message.</summary>
public static class RawText
{
    /// <summary>
    /// The raw text in quotes, with control and non-ASCII characters escaped, so that a message shows
    /// exactly what was received (line noise, a wrong baud rate).
    /// </summary>
    public static string Quote(string raw)
    {
        var sb = new StringBuilder(raw.Length + 2).Append('"');
        foreach (var c in raw)
        {
            if (c is >= ' ' and <= '~' && c != '"' && c != '\\') sb.Append(c);
            else if (c == '"') sb.Append("\\\"");
            else if (c == '\\') sb.Append("\\\\");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\n') sb.Append("\\n");
            else sb.Append(c <= 0xFF ? $"\\x{(int)c:X2}" : $"\\u{(int)c:X4}");
        }
        return sb.Append('"').ToString();
    }
}
