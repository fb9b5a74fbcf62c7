namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// The tag <c>stand=&lt;Site:Stand&gt;</c> on every line this stand sends to InfluxDB, as Telegraf's global_tags did,
/// so that stands sharing one InfluxDB stay apart and one Grafana shows the site (its dashboards have a stand
/// variable). Stamped on whole batches as they leave for the shipper: the mapper's direct lines, its points and the
/// procedures' points all pass there, and the spool then holds the stamped lines. The tag goes right after the
/// measurement; InfluxDB sorts a line's tags itself.
/// </summary>
public sealed class StandTag(string stand)
{
    private readonly byte[] _tag = [.. ",stand="u8, .. LineProtocol.Escaped(stand, escapeEqual: true)];

    public string Stand { get; } = stand;

    /// <summary>A new batch with the tag in each line; <paramref name="lines"/> is disposed.</summary>
    public LineBatch Stamp(LineBatch lines)
    {
        using (lines)
        {
            var stamped = new LineBatch(lines.Bytes.Length + lines.Count * _tag.Length + 16);
            var rest = lines.Bytes.Span;
            while (rest.Length > 0)
            {
                var line = rest[..rest.IndexOf((byte)'\n')];
                var measurement = MeasurementLength(line);
                var span = stamped.GetSpan(line.Length + _tag.Length);
                line[..measurement].CopyTo(span);
                _tag.CopyTo(span[measurement..]);
                line[measurement..].CopyTo(span[(measurement + _tag.Length)..]);
                stamped.Advance(line.Length + _tag.Length);
                stamped.EndLine();
                rest = rest[(line.Length + 1)..];
            }
            return stamped;
        }
    }

    /// <summary>Where a line's measurement ends: at its first ',' or ' ' that no backslash escapes.</summary>
    internal static int MeasurementLength(ReadOnlySpan<byte> line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == (byte)'\\') i++;
            else if (line[i] is (byte)',' or (byte)' ') return i;
        }
        return line.Length;
    }
}
