namespace TrackerDcs.Web.TimeSeries;

/// <summary>
/// Section "TimeSeries:Embedded": what the embedded store keeps when no InfluxDB is configured. Every reading for
/// <see cref="RawRetention"/>, then per <see cref="RollupInterval"/> its count, min, max, first, last and mean for
/// <see cref="RollupRetention"/> (docs/trends.md measures the disk this takes).
/// </summary>
public sealed class EmbeddedOptions
{
    public TimeSpan RawRetention { get; set; } = TimeSpan.FromHours(48);
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan RollupRetention { get; set; } = TimeSpan.FromDays(400);
    /// <summary>How often the background work rolls up finished chunks and prunes what is past its retention.</summary>
    public TimeSpan MaintenancePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A chunk: the rollup slots kept in one blob (an hour of minutes).</summary>
    public TimeSpan Chunk => RollupInterval * RollupChunk.Slots;

    public IEnumerable<string> Validate(TimeSpan rawRetention)
    {
        if (RollupInterval < TimeSpan.FromSeconds(1) || RollupInterval > TimeSpan.FromHours(1) || RollupInterval.Ticks % TimeSpan.TicksPerSecond != 0)
            yield return $"Embedded:RollupInterval {RollupInterval} must be whole seconds from 1 s to 1 h";
        // A chunk is rolled up once it has ended, from the raw readings: they must still be there then.
        else if (rawRetention < 2 * Chunk)
            yield return $"Embedded:RawRetention {rawRetention} must be at least two rollup chunks ({2 * Chunk}: 60 × RollupInterval each)";
        if (RollupRetention < rawRetention) yield return $"Embedded:RollupRetention {RollupRetention} must not be shorter than RawRetention {rawRetention}";
        if (MaintenancePeriod <= TimeSpan.Zero) yield return "Embedded:MaintenancePeriod must be positive";
    }
}
