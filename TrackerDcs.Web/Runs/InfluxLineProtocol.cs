using System.Globalization;
using System.Text;

namespace TrackerDcs.Web.Runs;

/// <summary>
/// InfluxDB line protocol (v1.6 "Line Protocol reference"): measurement and tags escape comma, equals sign and
/// space with a backslash; string field values are double-quoted with " and \ escaped; integers end in i.
/// </summary>
public static class InfluxLineProtocol
{
    public static string Line(string measurement, IEnumerable<(string Key, string Value)> tags, IEnumerable<(string Key, object Value)> fields, long timeMs)
    {
        var line = new StringBuilder(EscapeKey(measurement));
        foreach (var (key, value) in tags.Where(t => t.Value != "").OrderBy(t => t.Key, StringComparer.Ordinal))
            line.Append(',').Append(EscapeKey(key)).Append('=').Append(EscapeKey(value));
        line.Append(' ').AppendJoin(',', fields.Select(f => $"{EscapeKey(f.Key)}={FieldValue(f.Value)}"));
        return line.Append(' ').Append(timeMs.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    private static string EscapeKey(string text) => text.Replace("\\", "\\\\").Replace(",", "\\,").Replace("=", "\\=").Replace(" ", "\\ ")
        .Replace("\n", " ");

    private static string FieldValue(object value) => value switch
    {
        long or int => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "i",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => "\"" + value.ToString()!.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", " ") + "\"",
    };
}
