using System.Buffers;
using System.Globalization;
using System.Text;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// A point as line protocol, written as UTF-8 straight into a batch: the text the client library's
/// <c>PointData.ToLineProtocol()</c> makes (same escaping, number formats, empty tags left out, non-finite
/// numbers left out), without its immutable dictionaries and strings per point, which cost more than mapping
/// the JSON (see docs/performance.md). Fields keep the mapper's order where PointData sorts them: InfluxDB
/// does not care about field order. Syntax: https://docs.influxdata.com/influxdb/v1.8/write_protocols/line_protocol_reference/
/// </summary>
public static class LineProtocol
{
    public static void Append(LineBatch batch, TimePoint point)
    {
        Escape(batch, point.Measurement, escapeEqual: false);
        // Index loops: the lists' enumerators through IReadOnlyList would be two allocations per point.
        for (var i = 0; i < point.Tags.Count; i++)
        {
            var (key, value) = point.Tags[i];
            if (key.Length == 0 || value.Length == 0) continue;
            Write(batch, ","u8);
            Escape(batch, key, escapeEqual: true);
            Write(batch, "="u8);
            Escape(batch, value, escapeEqual: true);
        }
        var first = true;
        for (var i = 0; i < point.Fields.Count; i++)
        {
            var (key, value) = point.Fields[i];
            if (value is double d && !double.IsFinite(d)) continue;
            Write(batch, first ? " "u8 : ","u8);
            first = false;
            Escape(batch, key, escapeEqual: true);
            Write(batch, "="u8);
            switch (value)
            {
                case double v: Format(batch, v); break;
                case long v: Format(batch, v); Write(batch, "i"u8); break;
                case ulong v: Format(batch, v); Write(batch, "u"u8); break;
                case bool v: Write(batch, v ? "true"u8 : "false"u8); break;
                case string v:
                    Write(batch, "\""u8);
                    EscapeString(batch, v);
                    Write(batch, "\""u8);
                    break;
                default: throw new ArgumentException($"field {key} has an unsupported type {value.GetType()}");
            }
        }
        if (first)
        {
            // PointData makes no line for a point without fields; neither does this.
            batch.DiscardLine();
            return;
        }
        Write(batch, " "u8);
        Format(batch, point.TimeMs);
        batch.EndLine();
    }

    /// <summary>A measurement name (<paramref name="escapeEqual"/> false), tag key or field key as it appears in a line.</summary>
    internal static byte[] Escaped(string text, bool escapeEqual)
    {
        using var batch = new LineBatch(text.Length * 8 + 16);
        Escape(batch, text, escapeEqual);
        return batch.Pending.ToArray();
    }

    /// <summary>A tag value given as UTF-8 (valid): escaped as <see cref="Escape"/> escapes the same text.</summary>
    internal static void EscapeUtf8(LineBatch batch, ReadOnlySpan<byte> text)
    {
        for (var i = text.IndexOfAny(KeySpecialBytes); i >= 0; i = text.IndexOfAny(KeySpecialBytes))
        {
            Write(batch, text[..i]);
            Write(batch, text[i] switch { (byte)'\n' => "\\n"u8, (byte)'\r' => "\\r"u8, (byte)'\t' => "\\t"u8, (byte)' ' => "\\ "u8, (byte)',' => "\\,"u8, _ => "\\="u8 });
            text = text[(i + 1)..];
        }
        Write(batch, text);
    }

    internal static void Write(LineBatch batch, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(batch.GetSpan(bytes.Length));
        batch.Advance(bytes.Length);
    }

    internal static void Format<T>(LineBatch batch, T value) where T : IUtf8SpanFormattable
    {
        var span = batch.GetSpan(32);
        if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture)) throw new InvalidOperationException("number longer than 32 bytes");
        batch.Advance(written);
    }

    /// <summary>Measurement, tag keys and values, field keys: the characters PointData escapes, escaped the same way.</summary>
    private static void Escape(LineBatch batch, string text, bool escapeEqual)
    {
        var specials = escapeEqual ? KeySpecials : MeasurementSpecials;
        var rest = text.AsSpan();
        for (var i = rest.IndexOfAny(specials); i >= 0; i = rest.IndexOfAny(specials))
        {
            Encoding.UTF8.GetBytes(rest[..i], batch);
            Write(batch, rest[i] switch { '\n' => "\\n"u8, '\r' => "\\r"u8, '\t' => "\\t"u8, ' ' => "\\ "u8, ',' => "\\,"u8, _ => "\\="u8 });
            rest = rest[(i + 1)..];
        }
        Encoding.UTF8.GetBytes(rest, batch);
    }

    /// <summary>String field values: backslash and double quote get a backslash.</summary>
    private static void EscapeString(LineBatch batch, string text)
    {
        var rest = text.AsSpan();
        for (var i = rest.IndexOfAny(StringSpecials); i >= 0; i = rest.IndexOfAny(StringSpecials))
        {
            Encoding.UTF8.GetBytes(rest[..i], batch);
            Write(batch, rest[i] == '"' ? "\\\""u8 : "\\\\"u8);
            rest = rest[(i + 1)..];
        }
        Encoding.UTF8.GetBytes(rest, batch);
    }

    private static readonly SearchValues<char> KeySpecials = SearchValues.Create("\n\r\t ,=");
    private static readonly SearchValues<byte> KeySpecialBytes = SearchValues.Create("\n\r\t ,="u8);
    private static readonly SearchValues<char> MeasurementSpecials = SearchValues.Create("\n\r\t ,");
    private static readonly SearchValues<char> StringSpecials = SearchValues.Create("\\\"");
}
