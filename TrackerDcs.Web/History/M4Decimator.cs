namespace TrackerDcs.Web.History;

/// <summary>
/// M4 decimation (Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation", VLDB 2014): per pixel
/// column the first, the last, the smallest and the largest reading, with their times. A line through these
/// four points per column draws the same pixels as a line through every reading, so spikes and steps survive
/// any range, with at most 4 × width points. A column of at most four readings keeps them all, so a range with
/// little data comes through exactly (every reading, its own time). Pre-aggregated intervals (the embedded
/// store's minutes, InfluxDB's GROUP BY time) enter as summaries; their extremes stay exact, their times are
/// those of the interval. Readings and summaries must come in time order.
/// </summary>
public sealed class M4Decimator
{
    private readonly record struct Point(long Time, double Value, int Rank);

    private readonly long _fromMs;
    private readonly long _toMs;
    private readonly long _gapMs;
    private readonly List<long> _times = [];
    private readonly List<double?> _values = [];
    private readonly Point[] _raw = new Point[4];
    private readonly List<Point> _column = new(4);
    private long _bucket = long.MinValue;
    private int _count;
    private bool _summarised;
    private Point _first, _last, _min, _max;
    private long? _lastEmitted;
    private bool _decimated;

    /// <param name="gapMs">A longer time without readings breaks the line (a null point); at least 4 columns.</param>
    /// <param name="intervalMs">
    /// The interval of summaries the store has: a column at least that wide is rounded up to whole intervals, so
    /// that no summary straddles two columns and each column's extremes are its own.
    /// </param>
    public M4Decimator(long fromMs, long toMs, int width, long gapMs, long intervalMs = 1)
    {
        _fromMs = fromMs;
        _toMs = toMs;
        BucketMs = BucketWidth(fromMs, toMs, width);
        if (intervalMs > 1 && BucketMs >= intervalMs) BucketMs = (BucketMs + intervalMs - 1) / intervalMs * intervalMs;
        _gapMs = Math.Max(gapMs, 4 * BucketMs);
    }

    /// <summary>The width of one pixel column in milliseconds (at least 1).</summary>
    public long BucketMs { get; }

    public static long BucketWidth(long fromMs, long toMs, int width) => Math.Max(1, (toMs - fromMs + Math.Max(width, 1) - 1) / Math.Max(width, 1));

    /// <summary>One reading.</summary>
    public void Add(long timeMs, double value)
    {
        if (timeMs < _fromMs || timeMs >= _toMs || double.IsNaN(value)) return;
        Enter(timeMs);
        var point = new Point(timeMs, value, 0);
        if (_count < 4) _raw[_count] = point;
        Include(point, point, point, point);
        _count++;
    }

    /// <summary>
    /// An interval [startMs, endMs] already reduced to its first, smallest, largest and last reading. It counts in
    /// the column of its start (the first column, if it began before the range).
    /// </summary>
    public void AddSummary(long startMs, long endMs, double first, double min, double max, double last)
    {
        // One that began before the range counts in its first column.
        if (endMs < _fromMs || startMs >= _toMs) return;
        startMs = Math.Max(startMs, _fromMs);
        Enter(startMs);
        endMs = Math.Max(startMs, Math.Min(endMs, _toMs - 1));
        var middle = startMs + (endMs - startMs) / 2;
        // Falling intervals draw max before min, rising ones min before max: the line follows the likelier path.
        var (minRank, maxRank) = first > last ? (2, 1) : (1, 2);
        Include(new Point(startMs, first, 0), new Point(middle, min, minRank), new Point(middle, max, maxRank), new Point(endMs, last, 3));
        _summarised = true;
        _count += 2;
    }

    public TrendSeries Finish()
    {
        Flush();
        return new TrendSeries(BucketMs, _decimated, _times, _values);
    }

    private void Enter(long timeMs)
    {
        var bucket = (timeMs - _fromMs) / BucketMs;
        if (bucket == _bucket) return;
        Flush();
        _bucket = bucket;
    }

    private void Include(Point first, Point min, Point max, Point last)
    {
        if (_count == 0)
        {
            (_first, _min, _max, _last) = (first, min, max, last);
            return;
        }
        if (min.Value < _min.Value) _min = min;
        if (max.Value > _max.Value) _max = max;
        _last = last;
    }

    private void Flush()
    {
        if (_count == 0) return;
        _column.Clear();
        if (!_summarised && _count <= 4)
            for (var i = 0; i < _count; i++) _column.Add(_raw[i]);
        else
        {
            _decimated = true;
            // Ranks keep the order of points at one time: first, then min and max, then last.
            foreach (var p in new[] { _first with { Rank = 0 }, _min, _max, _last with { Rank = 3 } })
                if (!_column.Exists(c => c.Time == p.Time && c.Value.Equals(p.Value))) _column.Add(p);
            _column.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Rank.CompareTo(b.Rank));
        }
        foreach (var point in _column) Emit(point.Time, point.Value);
        (_count, _summarised) = (0, false);
    }

    private void Emit(long timeMs, double value)
    {
        if (_lastEmitted is { } previous && timeMs - previous > _gapMs)
        {
            _times.Add(previous + 1);
            _values.Add(null);
        }
        _times.Add(timeMs);
        _values.Add(value);
        _lastEmitted = timeMs;
    }
}
