using System.Text;

namespace TrackerDcs.Web.Common;

/// <summary>
/// Text a client chose (a topic, a payload, an answer that quotes it) cut to a bound before it is stored, echoed
/// or logged, saying how long it was: a 1 MB payload is evidence of a mistake, not something to keep or send back
/// whole. The bound is in UTF-8 bytes, as SQLite and MQTT count them; a cut never splits a character.
/// </summary>
public static class BoundedText
{
    public static string Cut(string text, int maxBytes)
    {
        // At most 3 UTF-8 bytes per UTF-16 char: short text needs no count.
        if (text.Length * 3 <= maxBytes) return text;
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes <= maxBytes) return text;
        int length = 0, used = 0;
        while (length < text.Length)
        {
            var width = char.IsHighSurrogate(text[length]) && length + 1 < text.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(text.AsSpan(length, width));
            if (used + size > maxBytes) break;
            used += size;
            length += width;
        }
        return $"{text[..length]}…({bytes} bytes)";
    }
}
