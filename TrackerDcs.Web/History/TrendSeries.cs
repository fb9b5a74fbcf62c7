namespace TrackerDcs.Web.History;

/// <summary>
/// A signal's points over a range as the chart draws them: raw where a pixel column holds at most four
/// readings, else the M4 points of each column (first, min, max, last). A null value marks a gap (no
/// reading for a while: the line breaks there).
/// </summary>
public sealed record TrendSeries(long BucketMs, bool Decimated, IReadOnlyList<long> Times, IReadOnlyList<double?> Values)
{
    public static TrendSeries Empty(long bucketMs) => new(bucketMs, false, [], []);
}
