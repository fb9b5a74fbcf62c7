namespace TrackerDcs.Web.Common;

/// <summary>
/// A rate with a burst: up to <c>capacity</c> takes at once, refilled at <c>perSecond</c>. Remembers whether it
/// was found empty, so a caller logs a refusal once per episode instead of once per refused event.
/// </summary>
public sealed class TokenBucket(double capacity, double perSecond, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly double _capacity = capacity;
    private double _tokens = capacity;
    private DateTimeOffset _last = time.GetUtcNow();
    private bool _empty;

    /// <summary>False when the bucket is empty; <paramref name="emptiedNow"/> is true for the first such refusal of an episode.</summary>
    public bool TryTake(out bool emptiedNow)
    {
        lock (_gate)
        {
            Refill();
            emptiedNow = false;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                _empty = false;
                return true;
            }
            emptiedNow = !_empty;
            _empty = true;
            return false;
        }
    }

    /// <summary>Full again (nothing taken for a while): the bucket can be forgotten.</summary>
    public bool IsFull
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _tokens >= _capacity;
            }
        }
    }

    private void Refill()
    {
        var now = time.GetUtcNow();
        _tokens = Math.Min(_capacity, _tokens + (now - _last).TotalSeconds * perSecond);
        _last = now;
    }
}
