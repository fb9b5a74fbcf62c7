namespace TrackerDcs.Web.Runs;

/// <summary>
/// A token bucket for ph2acf/log: a calibration may print thousands of lines a second, which MQTT clients and
/// the panel need not see one by one. Lines beyond the rate are counted; the count is reported with the next
/// line let through. Every line still goes to the run's log file.
/// </summary>
public sealed class LogRateLimiter(int linesPerSecond, TimeProvider time)
{
    private readonly Lock _gate = new();
    private double _tokens = linesPerSecond;
    private long _last = time.GetTimestamp();
    private int _dropped;

    /// <summary>True when the line may be published; <paramref name="dropped"/> is the count suppressed before it.</summary>
    public bool TryTake(out int dropped)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(linesPerSecond, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * linesPerSecond);
            _last = now;
            if (_tokens < 1)
            {
                _dropped++;
                dropped = 0;
                return false;
            }
            _tokens--;
            dropped = _dropped;
            _dropped = 0;
            return true;
        }
    }

    /// <summary>Lines suppressed since the last one let through (reported when the run ends).</summary>
    public int TakeDropped()
    {
        lock (_gate)
        {
            var dropped = _dropped;
            _dropped = 0;
            return dropped;
        }
    }
}
