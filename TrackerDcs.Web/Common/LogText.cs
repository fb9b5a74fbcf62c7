using System.Text;

namespace TrackerDcs.Web.Common;

/// <summary>
/// Text a client chose (topics, client ids, user names) made safe for a log line: control characters are
/// written as escapes, so a newline in a topic cannot forge a log line and an escape sequence cannot
/// repaint the operator's terminal. MQTT allows control characters in topics (only U+0000 is forbidden).
/// It is cut to <see cref="MaxBytes"/> too: a client sending 60 KB topics must not write 60 KB log lines.
/// </summary>
public static class LogText
{
    public const int MaxBytes = 1024;

    public static string Escape(string? text)
    {
        if (text is null) return "";
        text = BoundedText.Cut(text, MaxBytes);
        if (!text.Any(char.IsControl)) return text;
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }
}
