namespace TrackerDcs.Testing;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="seconds"/>; the message names <paramref name="what"/>.</exception>
    public static async Task True(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {seconds} s waiting for: {what}");
            await Task.Delay(10);
        }
    }
}
