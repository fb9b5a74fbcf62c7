using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;

namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// One point as the mapping makes it. Field values are double, long, ulong, bool or string. Tags are kept
/// sorted, as InfluxDB keys series, so equal points give equal line protocol (a replay overwrites, never doubles).
/// </summary>
public sealed record TimePoint(string Measurement, IReadOnlyList<KeyValuePair<string, string>> Tags,
    IReadOnlyList<KeyValuePair<string, object>> Fields, long TimeMs)
{
    public string SeriesKey => string.Join(',', Tags.Select(t => $"{t.Key}={t.Value}"));

    /// <summary>
    /// Built with the client library's point type, which escapes as the line protocol requires; through its
    /// mutable builder, as PointData itself copies its immutable dictionaries on every added field.
    /// </summary>
    public string ToLineProtocol()
    {
        var point = PointData.Builder.Measurement(Measurement).Timestamp(TimeMs, WritePrecision.Ms);
        foreach (var (key, value) in Tags) point.Tag(key, value);
        foreach (var (key, value) in Fields)
            _ = value switch
            {
                double d => point.Field(key, d),
                long l => point.Field(key, l),
                ulong u => point.Field(key, u),
                bool b => point.Field(key, b),
                string s => point.Field(key, s),
                _ => throw new ArgumentException($"field {key} has an unsupported type {value.GetType()}"),
            };
        return point.ToPointData().ToLineProtocol();
    }
}
